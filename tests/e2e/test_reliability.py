"""End-to-end tests of what kmquant does at the edges of the file system and the process: special
files at an output's path, a name taken while kmquant works, file-size limits, standard output
that cannot be written, long names. See docs/reliability.md and docs/errors.md."""
import os
import resource
import stat
import subprocess
import threading
import time

import pytest

from conftest import SAMPLE


def temporaries(folder):
    return sorted(p.name for p in folder.iterdir() if ".kmquant-" in p.name)


def reference_png(run, tmp_path):
    """The bytes kmquant writes for the sample at k = 8 to a plain file (the oracle for what a
    device or FIFO must receive)."""
    path = tmp_path / "reference.png"
    run("compress", SAMPLE, "-k", "8", "-o", path, check=True)
    return path.read_bytes()


# --- special files at the output's path ---------------------------------------------------

def make_null_device(path):
    """A character device of /dev/null's numbers in a scratch folder (never the real one)."""
    if os.geteuid() != 0:
        pytest.skip("mknod needs root")
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except OSError as error:
        pytest.skip(f"cannot make a device node here: {error}")


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_a_character_device_is_written_through_not_replaced(run, tmp_path, force):
    device = tmp_path / "null"
    make_null_device(device)
    result = run("compress", SAMPLE, "-k", "8", "-o", device, *force)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISCHR(device.lstat().st_mode), "the device was replaced by a file"
    assert temporaries(tmp_path) == []


def test_a_fifo_is_written_through_to_its_reader(run, tmp_path):
    expected = reference_png(run, tmp_path)
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    received = []
    reader_ready = threading.Event()

    def read_all():
        fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a reader before kmquant opens it
        reader_ready.set()
        os.set_blocking(fd, True)
        chunks = []
        deadline = time.monotonic() + 60
        # Until kmquant has opened it, reads give nothing: wait for the first data.
        while (not chunks or chunks[-1]) and time.monotonic() < deadline:
            chunk = os.read(fd, 1 << 16)
            if chunk or chunks:
                chunks.append(chunk)
            else:
                time.sleep(0.001)
        os.close(fd)
        received.append(b"".join(chunks))

    reader = threading.Thread(target=read_all, daemon=True)
    reader.start()
    reader_ready.wait()
    result = run("compress", SAMPLE, "-k", "8", "-o", fifo, "--force")
    reader.join(timeout=60)
    assert result.returncode == 0, result.stderr
    assert received == [expected]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_a_fifo_without_a_reader_is_refused_not_waited_for(run, tmp_path):
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    result = run("compress", SAMPLE, "-k", "8", "-o", fifo, "--force")  # times out if it hangs
    assert result.returncode == 4
    assert result.stderr == f"kmquant: {fifo}: a FIFO with no reader\n"
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_a_symbolic_link_is_followed_and_kept(run, tmp_path):
    expected = reference_png(run, tmp_path)
    target = tmp_path / "target.png"
    target.write_bytes(b"old")
    link = tmp_path / "link.png"
    link.symlink_to(target.name)
    result = run("compress", SAMPLE, "-k", "8", "-o", link)
    assert result.returncode == 4 and "already exists" in result.stderr
    run("compress", SAMPLE, "-k", "8", "-o", link, "--force", check=True)
    assert link.is_symlink() and os.readlink(link) == "target.png"
    assert target.read_bytes() == expected
    assert temporaries(tmp_path) == []


def test_a_link_to_nothing_is_refused(run, tmp_path):
    link = tmp_path / "link.png"
    link.symlink_to("nothing.png")
    result = run("compress", SAMPLE, "-k", "8", "-o", link, "--force")
    assert result.returncode == 4
    assert result.stderr == f"kmquant: {link}: a symbolic link to nothing: not writing through it\n"
    assert link.is_symlink() and not (tmp_path / "nothing.png").exists()


def test_a_link_to_the_input_is_refused(run, tmp_path):
    source = tmp_path / "in.png"
    source.write_bytes(SAMPLE.read_bytes())
    link = tmp_path / "link.png"
    link.symlink_to(source.name)
    result = run("compress", source, "-k", "8", "-o", link, "--force")
    assert result.returncode == 4 and "input" in result.stderr
    assert source.read_bytes() == SAMPLE.read_bytes()


def test_force_keeps_the_mode_of_the_file_it_replaces(run, tmp_path):
    out = tmp_path / "secret.png"
    out.write_bytes(b"old")
    out.chmod(0o600)
    run("compress", SAMPLE, "-k", "8", "-o", out, "--force", check=True)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_bytes()[:4] == b"\x89PNG"


# --- a name taken while kmquant works -----------------------------------------------------

def holds_open(pid, path):
    folder = f"/proc/{pid}/fd"
    try:
        return any(os.readlink(f"{folder}/{fd}") == str(path) for fd in os.listdir(folder))
    except OSError:  # a descriptor closed while looking
        return False


def wait_until(condition, process):
    deadline = time.monotonic() + 60
    while not condition():
        assert process.poll() is None and time.monotonic() < deadline, "kmquant never got there"
        time.sleep(0.001)


def test_a_file_that_appears_during_the_run_is_not_replaced(kmquant_bin, tmp_path):
    """The input comes from a FIFO: once kmquant holds it open it has checked that the output's
    name is free, and it waits for the data; the name is taken then, before any byte comes."""
    fifo = tmp_path / "in.png"
    os.mkfifo(fifo)
    out = tmp_path / "p.png"
    writer = os.open(fifo, os.O_RDWR)  # a writer already there: kmquant's read waits for data
    try:
        process = subprocess.Popen([kmquant_bin, "compress", fifo, "-k", "8", "-o", out],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wait_until(lambda: holds_open(process.pid, fifo), process)
        out.write_bytes(b"PRECIOUS")
        os.write(writer, SAMPLE.read_bytes())
    finally:
        os.close(writer)
    stderr = process.communicate(timeout=60)[1]
    assert process.returncode == 4, stderr
    assert stderr.startswith(f"kmquant: {out}: already exists"), stderr
    assert out.read_bytes() == b"PRECIOUS"
    assert temporaries(tmp_path) == []


# --- limits of the process ----------------------------------------------------------------

def test_a_file_size_limit_fails_the_write_and_leaves_no_temporary(kmquant_bin, tmp_path):
    """`ulimit -f` as a shell sets it: SIGXFSZ not ignored by the parent."""
    out = tmp_path / "out.png"

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    result = subprocess.run([kmquant_bin, "compress", SAMPLE, "-k", "256", "-o", out],
                            capture_output=True, text=True, timeout=120, preexec_fn=limit)
    assert result.returncode == 4, (result.returncode, result.stderr)
    assert result.stderr == f"kmquant: {out}: cannot write: File too large\n"
    assert list(tmp_path.iterdir()) == []


# --- standard output ----------------------------------------------------------------------

def run_with_stdout(kmquant_bin, args, stdout):
    return subprocess.run([kmquant_bin, *map(str, args)], stdout=stdout, stderr=subprocess.PIPE,
                          text=True, timeout=120)


@pytest.mark.parametrize("report", [[], ["--json"]])
def test_a_report_to_a_full_disk_fails(kmquant_bin, tmp_path, report):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    with open("/dev/full", "w") as full:
        result = run_with_stdout(kmquant_bin, ["compress", SAMPLE, "-k", "2", "-o",
                                               tmp_path / "o.png", *report], full)
    assert result.returncode == 4
    assert result.stderr == "kmquant: stdout: cannot write: No space left on device\n"


def test_the_sweep_table_to_a_full_disk_fails(kmquant_bin, tmp_path):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    with open("/dev/full", "w") as full:
        result = run_with_stdout(kmquant_bin, ["sweep", SAMPLE, "-k", "2", "-o", tmp_path / "s"],
                                 full)
    assert result.returncode == 4
    assert result.stderr == "kmquant: stdout: cannot write: No space left on device\n"


def test_a_report_to_a_closed_stdout_fails_and_goes_into_no_file(kmquant_bin, tmp_path):
    out = tmp_path / "o.png"
    result = subprocess.run([kmquant_bin, "compress", SAMPLE, "-k", "2", "-o", out],
                            stderr=subprocess.PIPE, text=True, timeout=120,
                            preexec_fn=lambda: os.close(1))
    assert result.returncode == 4
    assert result.stderr == "kmquant: stdout: cannot write: Bad file descriptor\n"
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_png_to_a_reader_that_stops_fails_with_a_message(kmquant_bin):
    """`-o - | head -c 10`: the PNG is larger than the pipe's buffer."""
    process = subprocess.Popen([kmquant_bin, "compress", SAMPLE, "-k", "256", "-o", "-"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout.read(10) == b"\x89PNG\r\n\x1a\n\x00\x00"
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=120) == 4, stderr
    assert stderr == "kmquant: stdout: cannot write: Broken pipe\n"


# --- names --------------------------------------------------------------------------------

@pytest.mark.parametrize("length", [233, 234, 255])
def test_an_output_name_of_up_to_255_bytes_is_written(run, tmp_path, length):
    out = tmp_path / ("n" * (length - 4) + ".png")
    run("compress", SAMPLE, "-k", "2", "-o", out, check=True)
    assert out.read_bytes()[:4] == b"\x89PNG"
    assert temporaries(tmp_path) == []


# --- option parsing -----------------------------------------------------------------------

@pytest.mark.parametrize("args,option", [
    (["-k", "010"], "--colors"),  # octal 8 before
    (["-k", "0x10"], "--colors"),  # hexadecimal 16 before
    (["-k", "8", "--seed", "-1"], "--seed"),  # 2^64 - 1 before
    (["-k", "8", "--seed", "18446744073709551616"], "--seed"),  # 2^64: wrapped before
    (["--quality", "inf"], "--quality"),  # exit 6 before
    (["--quality", "30-nan"], "--quality"),
    (["--max-error", "nan"], "--max-error"),  # "give -k or a quality target" before
    (["--max-error", "inf"], "--max-error"),
    (["-k", "8", "--restarts", "1001"], "--restarts"),  # ran for minutes before
    (["-k", "8", "--restarts", "4294967295"], "--restarts"),  # out of memory, exit 1, before
    (["-k", "8", "--threads", "-1"], "--threads"),
    (["-k", "8", "--effort", "010"], "--effort"),
    (["-k", "8", "--dither-strength", "nan"], "--dither-strength"),
    (["--quality", "40", "--max-colors", "0x20"], "--max-colors"),
])
def test_numbers_are_decimal_and_in_range(run, tmp_path, args, option):
    result = run("compress", SAMPLE, *args, "-o", tmp_path / "o.png")
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(f"kmquant: {option}: expected "), result.stderr
    assert not (tmp_path / "o.png").exists()


def test_the_sweep_takes_decimal_ks_only(run, tmp_path):
    result = run("sweep", SAMPLE, "-k", "2,010", "-o", tmp_path / "s")
    assert result.returncode == 2 and "--colors: expected" in result.stderr, result.stderr


def test_the_largest_seed_and_restarts_are_taken(run, tmp_path):
    run("compress", SAMPLE, "-k", "2", "--seed", "18446744073709551615", "--restarts", "3",
        "-o", tmp_path / "o.png", check=True)


# --- inputs an output would replace -------------------------------------------------------

def test_the_remap_palette_is_not_overwritten_even_with_force(run, tmp_path):
    palette = tmp_path / "pal.json"
    run("compress", SAMPLE, "-k", "4", "--palette-out", palette, "-o", tmp_path / "a.png",
        check=True)
    before = palette.read_bytes()
    result = run("compress", SAMPLE, "--remap", palette, "--palette-out", palette, "-o",
                 tmp_path / "b.png", "--force")
    assert result.returncode == 4, result.stderr
    assert "--remap palette" in result.stderr
    assert palette.read_bytes() == before and not (tmp_path / "b.png").exists()


# --- names shown on the terminal ----------------------------------------------------------

def test_bidi_overrides_and_controls_in_names_are_escaped(run, tmp_path):
    name = tmp_path / "\u202egnp.exe"  # shows as "exe.png" on a terminal
    name.write_bytes(SAMPLE.read_bytes())
    out = tmp_path / "o\x1b[31m.png"
    result = run("compress", name, "-k", "2", "-o", out)
    assert result.returncode == 0, result.stderr
    assert "\u202e" not in result.stdout and "\x1b" not in result.stdout
    assert f"{tmp_path}/\\xe2\\x80\\xaegnp.exe → {tmp_path}/o\\x1b[31m.png" in result.stdout
    bad = tmp_path / "\u2067x\x9b.png"
    bad.write_bytes(b"")
    result = run("compress", bad, "-k", "2", "-o", tmp_path / "p.png")
    assert result.stderr == f"kmquant: {tmp_path}/\\xe2\\x81\\xa7x\\xc2\\x9b.png: empty file\n"


def test_accented_names_are_shown_as_they_are(run, tmp_path):
    name = tmp_path / "été.png"
    name.write_bytes(b"")
    assert run("compress", name, "-k", "2", "-o", tmp_path / "o.png").stderr == (
        f"kmquant: {name}: empty file\n")


# --- metadata ------------------------------------------------------------------------------

def test_keep_metadata_caps_text_and_says_so(run, tmp_path):
    from PIL import Image, PngImagePlugin
    info = PngImagePlugin.PngInfo()
    for i in range(1200):
        info.add_text(f"k{i}", "v")
    source = tmp_path / "texts.png"
    Image.new("RGB", (4, 4), (1, 2, 3)).save(source, pnginfo=info)
    out = tmp_path / "o.png"
    result = run("compress", source, "-k", "2", "--keep-metadata", "-o", out)
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith(f"kmquant: note: {source}: some metadata is not kept")
    assert out.read_bytes().count(b"tEXt") == 1000
