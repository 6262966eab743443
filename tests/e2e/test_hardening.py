"""End-to-end hardening tests of the kmquant binary: the bad-file set, decompression bombs
(time and memory measured on the real process), --max-pixels, a full disk, a read-only
folder, and signals in the middle of a run. See docs/reliability.md."""
import contextlib
import csv
import hashlib
import os
import resource
import signal
import struct
import subprocess
import time
import zlib

import numpy as np
import pytest
from PIL import Image, PngImagePlugin

from conftest import SAMPLE, TEST_DATA
from oracle import check_sweep_outputs, expected_input_rgb, rgb_pixels

BAD = TEST_DATA / "bad"
EXIT_CODES = {"load": 0, "input": 3, "limit": 5}
# A sanitizer build (ctest sets this from the preset) is slower and maps shadow memory: the
# outcomes are checked there too, but not the time and memory targets.
SANITIZED = bool(os.environ.get("KMQUANT_SANITIZED"))
# Pillow, the oracle, refuses text chunks over 1 MB inflated; png_ztxt_bomb.png has 20 MB.
# kmquant skips the chunk unread; let Pillow read it so that it can decode the image.
PngImagePlugin.MAX_TEXT_CHUNK = 64 << 20
# Palette indices beyond PLTE: libpng (and so kmquant) decodes them as black, Pillow as grey.
# The unit tests compare these with libpng's own decoding.
LIBPNG_ONLY = {"png_palette_index_out_of_range.png", "png_palette_index_out_of_range_2bit.png"}
# Loaded exactly, but the sweep's comparison figure (src/report/figure.cpp) scales every picture
# to the panel width: a 1×65535 picture would be 25 million pixels tall, more than Cairo draws,
# so the sweep fails. (Wide pictures are fine: they are shrunk before Cairo sees them.)
FIGURE_TOO_LARGE = {"png_1x65535.png"}


def manifest():
    with open(BAD / "manifest.csv", newline="") as rows:
        return [(row["file"], row["expected"]) for row in csv.DictReader(rows)]


def bad_file_cases():
    """The manifest as test cases; strict xfail where a known bug stops the sweep, so that the
    fix shows up as a failure to remove the mark."""
    mark = pytest.mark.xfail(strict=True,
                             reason="the figure cannot be over 32767 pixels tall")
    return [pytest.param(name, expected, id=name,
                         marks=[mark] if name in FIGURE_TOO_LARGE else [])
            for name, expected in manifest()]


def fingerprint(path):
    status = path.stat()
    return hashlib.sha256(path.read_bytes()).hexdigest(), status.st_mtime_ns, status.st_mode


def temporaries(folder):
    return sorted(p.name for p in folder.iterdir() if ".kmquant-" in p.name)


# --- the bad-file set ---------------------------------------------------------------------

@pytest.mark.parametrize("name,expected", bad_file_cases())
def test_bad_file(run, tmp_path, name, expected):
    """Each file loads exactly as Pillow decodes it, or is refused with one line naming it."""
    path = BAD / name
    before = fingerprint(path)
    out = tmp_path / "out"
    result = run("sweep", "--save-original", path, "-k", "2", "-o", out)
    assert result.returncode == EXIT_CODES[expected], result.stderr
    assert fingerprint(path) == before, "the input was modified"
    if expected == "load":
        if name not in LIBPNG_ONLY:
            assert np.array_equal(rgb_pixels(out / "original.png"), expected_input_rgb(path))
        return
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"kmquant: {path}: ") and len(lines[0]) > len(f"{path}: ") + 12
    assert not out.exists()


def test_bad_file_set_covers_every_format_and_outcome():
    entries = manifest()
    assert len(entries) >= 70
    for prefix in ("png_", "jpeg_", "webp_"):
        outcomes = {expected for name, expected in entries if name.startswith(prefix)}
        assert {"load", "input"} <= outcomes, prefix
    # (No WebP can exceed the default limits: its sides stop at 16383.)
    assert {name for name, expected in entries if expected == "limit"} >= {
        "png_bomb_100000x100000.png", "jpeg_65500x65500.jpg", "jpeg_2647_scans.jpg"}


# --- bombs and limits ---------------------------------------------------------------------

CPU_SECONDS = 0.2  # the most a refused hostile input may cost
MEMORY = 64 << 20  # its address space (`ulimit -v`), shared libraries included


def bounded(memory):
    """For preexec_fn: `ulimit -v` of `memory` bytes (more fails to allocate: kmquant would exit
    1, out of memory) and `ulimit -t 1` (SIGXCPU ends a run that goes on, so that a regression
    fails in a second rather than after minutes). Peak RSS would not do: Linux carries a
    parent's peak across fork and exec into the child's."""
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (1, 1))
    return limit


def run_bounded(kmquant_bin, *args, memory=MEMORY, stdin=subprocess.DEVNULL):
    """Run kmquant within `memory` and a CPU-time limit; returns (exit status, stderr, CPU
    seconds it used, from the kernel's accounting of the child). A sanitizer build maps
    terabytes of shadow memory and runs without the limits."""
    process = subprocess.Popen([kmquant_bin, *map(str, args)], stdin=stdin,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               preexec_fn=None if SANITIZED else bounded(memory))
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, stderr, usage.ru_utime + usage.ru_stime


def assert_refused_cheaply(status, stderr, cpu, code, name):
    assert status == code, (status, stderr)
    assert stderr.startswith(f"kmquant: {name}: ") and stderr.count("\n") == 1, stderr
    if not SANITIZED:
        assert cpu < CPU_SECONDS, f"{cpu:.3f} s of CPU"


@pytest.mark.parametrize("name,code", [("png_bomb_100000x100000.png", 5),
                                       ("png_bomb_16384x16384.png", 3),
                                       ("jpeg_65500x65500.jpg", 5),
                                       ("jpeg_16000x16000.jpg", 3),
                                       ("png_huge_chunk_length.png", 3)])
def test_bomb_is_refused_in_little_cpu_time_and_memory(kmquant_bin, tmp_path, name, code):
    status, stderr, cpu = run_bounded(kmquant_bin, "compress", BAD / name, "-k", "2", "-o",
                                      tmp_path / "o.png")
    assert_refused_cheaply(status, stderr, cpu, code, BAD / name)


def test_memory_limit_of_the_bomb_test_bites(kmquant_bin, tmp_path):
    """The limits above are real: a 14-megapixel decode (40 MB of pixels and more) fails under
    them."""
    if SANITIZED:
        pytest.skip("no memory limit under the sanitizers")
    big = tmp_path / "big.png"
    Image.new("RGB", (4000, 3500), (9, 99, 199)).save(big)
    status, stderr, _ = run_bounded(kmquant_bin, "compress", big, "-k", "2", "-o",
                                    tmp_path / "o.png")
    assert status == 1 and stderr == "kmquant: out of memory\n", (status, stderr)


def jpeg_segment(marker, payload):
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def progressive_jpeg_of_many_scans(size, ac_scans):
    """A valid progressive JPEG (4:2:0 YCbCr, every coefficient zero): one DC scan, then
    `ac_scans` scans of the luma's AC coefficients (a first scan and 13 refinements each), every
    one a few bytes of end-of-band runs (as tests/data/bad/make_bad.py's jpeg_2647_scans.jpg).
    At 16384×16384 and 100 AC scans it is 835 kB, and libjpeg decodes each scan over 800 MB of
    coefficients."""
    dqt = jpeg_segment(0xDB, b"\x00" + b"\x01" * 64)
    sof = jpeg_segment(0xC2, struct.pack(">BHHB", 8, size, size, 3) +
                       b"\x01\x22\x00" + b"\x02\x11\x00" + b"\x03\x11\x00")
    one_code = bytes([1] + [0] * 15)  # one 1-bit code: category 0 (DC), EOB14 (AC: 0xE0)
    dht = jpeg_segment(0xC4, b"\x00" + one_code + b"\x00" + b"\x10" + one_code + b"\xe0")

    def sos(components, ss, se, ah, al):
        return jpeg_segment(0xDA, bytes([len(components)]) +
                            b"".join(bytes([c, 0x00]) for c in components) +
                            bytes([ss, se, (ah << 4) | al]))

    def zero_bits(count):  # padded with ones
        whole, rest = divmod(count, 8)
        return bytes(whole) + (bytes([(1 << (8 - rest)) - 1]) if rest else b"")

    mcus = (size // 16) ** 2
    parts = [b"\xff\xd8", dqt, sof, dht, sos([1, 2, 3], 0, 0, 0, 0), zero_bits(mcus * 6)]
    ac_data = zero_bits(mcus * 4 // 16384 * 15)
    scans = [(k, al) for k in range(1, 64) for al in range(13, -1, -1)][:ac_scans]
    for k, al in scans:
        parts += [sos([1], k, k, 0 if al == 13 else al + 1, al), ac_data]
    return b"".join(parts + [b"\xff\xd9"])


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_with_extra_image_data(mebibytes):
    """A valid 1×1 grey PNG whose zlib stream goes on after its one row with `mebibytes` MiB of
    zeros (each MiB deflated to 1 kB, the same block repeated), with the right checksums."""
    deflate = zlib.compressobj(9)
    stream = deflate.compress(b"\x00\x00") + deflate.flush(zlib.Z_FULL_FLUSH)
    block = deflate.compress(bytes(1 << 20)) + deflate.flush(zlib.Z_FULL_FLUSH)
    length = 2 + (mebibytes << 20)
    adler = (length % 65521) << 16 | 1  # Adler-32 of 2 + length zeros
    stream += block * mebibytes + b"\x03\x00" + struct.pack(">I", adler)  # empty final block
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
            + png_chunk(b"IDAT", stream) + png_chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "scans.jpg").write_bytes(progressive_jpeg_of_many_scans(16384, 100))
    (folder / "extra.png").write_bytes(png_with_extra_image_data(1024))
    return folder


@pytest.mark.parametrize("name,code", [("scans.jpg", 5), ("extra.png", 3)])
def test_hostile_file_is_refused_in_little_cpu_time_and_memory(kmquant_bin, tmp_path, hostile,
                                                               name, code):
    """101 scans of 16384² (9.6 s and 795 MB before: the scans are now counted before
    decoding); 1 GiB of deflated zeros after a 1×1 PNG's row (2.6 s, and accepted)."""
    status, stderr, cpu = run_bounded(kmquant_bin, "compress", hostile / name, "-k", "2", "-o",
                                      tmp_path / "o.png")
    assert_refused_cheaply(status, stderr, cpu, code, hostile / name)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
@pytest.mark.parametrize("as_stdin", [False, True], ids=["path", "stdin"])
def test_endless_stream_is_refused_from_its_first_bytes(kmquant_bin, tmp_path, device, as_stdin):
    """Read to the 1 GiB limit before (7–15 s, 1.19 GB): its first 16 bytes tell."""
    with open(device, "rb") as stream:
        status, stderr, cpu = run_bounded(
            kmquant_bin, "compress", "-" if as_stdin else device, "-k", "2", "-o",
            tmp_path / "o.png", stdin=stream if as_stdin else subprocess.DEVNULL)
    name = "stdin" if as_stdin else device
    assert_refused_cheaply(status, stderr, cpu, 3, name)
    assert stderr == f"kmquant: {name}: not a PNG, JPEG or WebP file\n"


def test_a_small_excess_of_image_data_is_left_to_libpng(run, tmp_path):
    """Within 4 KiB of compressed data after the last row, libpng's policy holds: the excess
    (here 1 MiB of zeros in 1 kB) is ignored, as libpng and Pillow do."""
    path = tmp_path / "extra.png"
    path.write_bytes(png_with_extra_image_data(1))
    run("compress", path, "-k", "2", "-o", tmp_path / "o.png", check=True)
    with Image.open(path) as image:
        assert image.size == (1, 1) and image.getpixel((0, 0)) == 0


def test_a_fifo_without_a_writer_is_refused_not_waited_for(kmquant_bin, tmp_path):
    fifo = tmp_path / "in.png"
    os.mkfifo(fifo)
    result = subprocess.run([kmquant_bin, "compress", fifo, "-k", "2", "-o", tmp_path / "o.png"],
                            capture_output=True, text=True, timeout=60)  # before: waited forever
    assert result.returncode == 3
    assert result.stderr == f"kmquant: {fifo}: empty: the FIFO had no writer, or it wrote nothing\n"


def test_max_pixels(run, tmp_path):
    image = TEST_DATA / "basn0g08.png"  # 32x32
    result = run("compress", image, "-k", "2", "-o", tmp_path / "a.png", "--max-pixels", "1023")
    assert result.returncode == 5
    assert result.stderr == (f"kmquant: {image}: 32x32 pixels exceeds the limit of 1023 "
                             "pixels\n")
    run("compress", image, "-k", "2", "-o", tmp_path / "a.png", "--max-pixels", "1024",
        check=True)
    result = run("sweep", "--save-original", SAMPLE, "-k", "2", "-o", tmp_path / "s", "--max-pixels", "100000")
    assert result.returncode == 5 and not (tmp_path / "s").exists()
    for bad in ("0", "-1", "many"):
        result = run("sweep", "--save-original", image, "-o", tmp_path / "t", "--max-pixels", bad)
        assert result.returncode == 2, (bad, result.stderr)


def test_newline_in_a_file_name_stays_on_one_line(run, tmp_path):
    path = tmp_path / "bad\nname.png"
    path.write_bytes(b"")
    result = run("compress", path, "-k", "2", "-o", tmp_path / "o.png")
    assert result.returncode == 3
    assert result.stderr == f"kmquant: {tmp_path}/bad\\x0aname.png: empty file\n"


# --- full disk and read-only folder -------------------------------------------------------

OLD = b"old version"


def old_outputs(folder):
    folder.mkdir(exist_ok=True)
    for name in ("original.png", "k2.png", "k4.png"):
        (folder / name).write_bytes(OLD)


def assert_old_outputs_intact(folder):
    assert sorted(p.name for p in folder.iterdir()) == ["k2.png", "k4.png", "original.png"]
    for name in ("original.png", "k2.png", "k4.png"):
        assert (folder / name).read_bytes() == OLD, name


def limit_file_size(size):
    """For preexec_fn: files the child writes stop at `size` bytes (EFBIG, like a full disk)."""
    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    return limit


def test_full_disk_by_file_size_limit_keeps_the_old_files(kmquant_bin, tmp_path):
    out = tmp_path / "out"
    old_outputs(out)
    result = subprocess.run([kmquant_bin, "sweep", "--save-original", SAMPLE, "-k", "2,4", "-o", out],
                            capture_output=True, text=True, timeout=120,
                            preexec_fn=limit_file_size(100_000))
    assert result.returncode == 4, result.stderr
    assert result.stderr.endswith(": cannot write: File too large\n"), result.stderr
    assert_old_outputs_intact(out)


@contextlib.contextmanager
def tmpfs(folder, size, read_only=False, before=None):
    """A tmpfs of `size` on `folder` (filled by `before`, then maybe made read-only), or a skip
    where mounting is not allowed (not root, or no CAP_SYS_ADMIN in a container)."""
    folder.mkdir(exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", folder],
                           capture_output=True, text=True)
    if mount.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mount.stderr.strip()}")
    try:
        if before:
            before(folder)
        if read_only:
            subprocess.run(["mount", "-o", "remount,ro", folder], check=True)
        yield folder
    finally:
        subprocess.run(["umount", "-l", folder], check=True)


def test_full_tmpfs_keeps_the_old_files(run, tmp_path):
    with tmpfs(tmp_path / "disk", "256k", before=old_outputs) as out:
        result = run("sweep", "--save-original", SAMPLE, "-k", "2,4", "-o", out)
        assert result.returncode == 4, result.stderr
        assert result.stderr.endswith(": cannot write: No space left on device\n")
        assert_old_outputs_intact(out)


def test_read_only_tmpfs_keeps_the_old_files(run, tmp_path):
    with tmpfs(tmp_path / "disk", "256k", read_only=True, before=old_outputs) as out:
        for args in (["sweep", "--save-original", SAMPLE, "-k", "2", "-o", out],
                     ["compress", SAMPLE, "-k", "2", "-o", out / "k2.png", "--force"]):
            result = run(*args)
            assert result.returncode == 4, result.stderr
            assert "Read-only file system" in result.stderr
            assert_old_outputs_intact(out)


def test_folder_without_write_permission_keeps_the_old_files(run, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("permissions do not stop root (the read-only tmpfs test covers root)")
    out = tmp_path / "out"
    old_outputs(out)
    out.chmod(0o555)
    try:
        result = run("sweep", "--save-original", SAMPLE, "-k", "2", "-o", out)
    finally:
        out.chmod(0o755)
    assert result.returncode == 4, result.stderr
    assert_old_outputs_intact(out)


# --- signals ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def slow_input(tmp_path_factory):
    """A 1200x800 image of random noise: nearly a million distinct colours, so its default sweep
    takes most of a second even on a fast idle machine (k = 2 alone: 0.15 s on a 2.6 GHz Xeon)
    and its incompressible outputs stay in temporary files for tens of milliseconds. (16 random
    colours no longer did: the histogram reduces them to 16 points and the run ended in 0.1 s,
    before the signal.)"""
    path = tmp_path_factory.mktemp("signals") / "noise.png"
    rng = np.random.default_rng(7)
    Image.fromarray(rng.integers(0, 256, (800, 1200, 3), dtype=np.uint8)).save(path, compress_level=1)
    return path


def interrupt(kmquant_bin, args, out, signum, when, preexec_fn=None):
    """Start kmquant, send it `signum` once when(out) is true; returns (exit status, sent)."""
    process = subprocess.Popen([kmquant_bin, *map(str, args)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, preexec_fn=preexec_fn)
    sent = False
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        if not sent and when(out):
            process.send_signal(signum)
            sent = True
    return process.wait(timeout=60), sent


def temporaries_exist(out):
    with contextlib.suppress(FileNotFoundError):
        return any(".kmquant-" in entry.name for entry in os.scandir(out))
    return False


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_signal_while_writing_leaves_no_temporary_file(kmquant_bin, tmp_path, slow_input,
                                                       signum):
    out = tmp_path / "out"
    for _ in range(5):  # the write phase is short: try again if the run ended before it
        old_outputs(out)
        status, sent = interrupt(kmquant_bin, ["sweep", "--save-original", slow_input, "-k", "2,4", "-o", out],
                                 out, signum, temporaries_exist)
        if sent:
            break
    assert sent, "never saw a temporary file to interrupt"
    assert status == -signum, status
    assert temporaries(out) == []
    # Every output is its old version or a complete new one: nothing half-written.
    for path in out.iterdir():
        if path.read_bytes() != OLD:
            with Image.open(path) as image:
                image.load()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_signal_while_computing_ends_the_run_and_writes_nothing(kmquant_bin, tmp_path,
                                                                slow_input, signum):
    out = tmp_path / "out"
    old_outputs(out)
    start = time.monotonic()
    status, sent = interrupt(kmquant_bin, ["sweep", slow_input, "-k", "256", "--effort", "10", "-o", out],
                             out, signum, lambda _: time.monotonic() - start > 0.2)
    assert sent and status == -signum, status
    assert_old_outputs_intact(out)


def test_an_ignored_hangup_stays_ignored(kmquant_bin, tmp_path, slow_input):
    """As under nohup: a SIGHUP ignored when kmquant starts does not end it."""
    out = tmp_path / "out"
    start = time.monotonic()
    # The whole default sweep, not k = 2 alone: that can end before the signal is due.
    status, sent = interrupt(kmquant_bin, ["sweep", "--save-original", slow_input, "-o", out], out,
                             signal.SIGHUP, lambda _: time.monotonic() - start > 0.2,
                             preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN))
    assert sent and status == 0
    check_sweep_outputs(out, [2, 4, 8, 16, 32], slow_input)
