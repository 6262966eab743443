"""kmquant compress on many inputs: folders, patterns, parallel workers, naming, refusals."""
import json
import os
import pathlib
import shutil

import numpy as np
import pytest

from conftest import SAMPLE, TEST_DATA
from oracle import count_colours, expected_input_rgb, rgb_pixels


def listing(folder):
    return sorted(p.relative_to(folder).as_posix() for p in pathlib.Path(folder).rglob("*"))


def check_quantized(output, source, k):
    """The output is the source's size, of at most k colours, each pixel one of them."""
    pixels = rgb_pixels(output)
    original = expected_input_rgb(source)
    assert pixels.shape == original.shape
    assert count_colours(pixels) <= k
    # Each pixel takes its nearest palette colour: no palette colour is closer to the original.
    palette = np.unique(pixels.reshape(-1, 3), axis=0)
    distances = ((original.reshape(-1, 1, 3) - palette[None]) ** 2).sum(axis=2)
    chosen = ((original - pixels) ** 2).sum(axis=2).reshape(-1)
    assert (chosen <= distances.min(axis=1)).all()


@pytest.fixture
def photos(tmp_path):
    """A folder of four small images of three formats, a text file and a subfolder."""
    folder = tmp_path / "photos"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(TEST_DATA / "synthetic_rgb.png", folder / "a.png")
    shutil.copy(TEST_DATA / "synthetic_baseline.jpg", folder / "b.JPG")
    shutil.copy(TEST_DATA / "synthetic_lossless.webp", folder / "c.webp")
    shutil.copy(TEST_DATA / "basn2c16.png", folder / "sub" / "d.png")
    (folder / "notes.txt").write_text("not an image")
    return folder


def test_a_folder_gives_its_images_beside_them(run, photos):
    result = run("compress", photos, "-k", "8", check=True)
    assert listing(photos) == sorted(["a.png", "a-kmq.png", "b.JPG", "b-kmq.png", "c.webp",
                                      "c-kmq.png", "notes.txt", "sub", "sub/d.png"])
    for stem, name in (("a", "a.png"), ("b", "b.JPG"), ("c", "c.webp")):
        check_quantized(photos / f"{stem}-kmq.png", photos / name, 8)
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 4 and lines[-1].startswith("3 files: 3 written, 0 skipped, 0 failed")
    assert result.stderr == ""  # no progress bar: stderr is not a terminal


def test_recursive_takes_subfolders_and_skips_earlier_outputs(run, photos):
    run("compress", photos, "-k", "4", check=True)
    result = run("compress", photos, "-k", "4", "-r", "--out-dir", photos.parent / "out",
                 check=True)
    # The -kmq files of the first run are not inputs of the second.
    assert listing(photos.parent / "out") == ["a.png", "b.png", "c.png", "d.png"]
    check_quantized(photos.parent / "out" / "d.png", photos / "sub" / "d.png", 4)
    assert "4 files: 4 written" in result.stdout


def test_quoted_patterns_are_expanded(run, photos, tmp_path):
    # subprocess runs no shell: kmquant sees the pattern itself.
    run("compress", str(photos / "*.png"), str(photos / "*.[Jj][Pp][Gg]"), "-k", "4",
        "--out-dir", tmp_path / "out", check=True)
    assert listing(tmp_path / "out") == ["a.png", "b.png"]
    result = run("compress", str(photos / "*.gif"), "-k", "4", "--out-dir", tmp_path / "none")
    assert result.returncode == 3 and "*.gif" in result.stderr
    assert "no PNG, JPEG or WebP file matches" in result.stderr


def test_a_bad_file_in_the_middle_does_not_stop_the_others(run, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(TEST_DATA / "synthetic_rgb.png", folder / "1.png")
    (folder / "2.png").write_bytes(SAMPLE.read_bytes()[:5000])  # truncated
    shutil.copy(TEST_DATA / "basn2c16.png", folder / "3.png")
    result = run("compress", folder / "1.png", folder / "2.png", folder / "3.png", "-k", "4",
                 "-j", "2", "--out-dir", tmp_path / "out")
    assert result.returncode == 3, result.stderr
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 1 and str(folder / "2.png") in errors[0]
    assert errors[0].startswith("kmquant: ")
    assert listing(tmp_path / "out") == ["1.png", "3.png"]
    assert "3 files: 2 written, 0 skipped, 1 failed" in result.stdout


def test_the_first_failure_sets_the_exit_code(run, tmp_path):
    (tmp_path / "a.png").write_bytes(b"")  # bad input: 3
    limit = tmp_path / "b.png"
    shutil.copy(TEST_DATA / "synthetic_rgb.png", limit)  # 3072 pixels: over --max-pixels, 5
    result = run("compress", tmp_path / "a.png", limit, "-k", "2", "--max-pixels", "100",
                 "--out-dir", tmp_path / "out")
    assert result.returncode == 3
    result = run("compress", limit, tmp_path / "a.png", "-k", "2", "--max-pixels", "100",
                 "--out-dir", tmp_path / "out")
    assert result.returncode == 5


def test_results_do_not_depend_on_the_number_of_workers(run, photos, tmp_path):
    for jobs in ("1", "3"):
        run("compress", photos, "-r", "-k", "16", "-j", jobs, "--seed", "5",
            "--out-dir", tmp_path / jobs, check=True)
    names = listing(tmp_path / "1")
    assert names == listing(tmp_path / "3") and len(names) == 4
    for name in names:
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "3" / name).read_bytes()
    # And a file of a batch is the file compressed alone.
    run("compress", photos / "a.png", "-k", "16", "--seed", "5", "-o", tmp_path / "alone.png",
        check=True)
    assert (tmp_path / "alone.png").read_bytes() == (tmp_path / "1" / "a.png").read_bytes()


def test_suffix_names_the_outputs(run, photos):
    run("compress", photos / "a.png", photos / "c.webp", "-k", "4", "--suffix", ".small",
        check=True)
    assert (photos / "a.small.png").is_file() and (photos / "c.small.png").is_file()


def test_existing_outputs_are_kept_unless_forced(run, photos, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.png").write_bytes(b"precious")
    result = run("compress", photos / "a.png", photos / "c.webp", "-k", "4", "--out-dir", out)
    # A batch run again skips what exists (a note, counted as skipped), and exits 0.
    assert result.returncode == 0 and "already exists" in result.stderr
    assert str(out / "a.png") in result.stderr and "1 written, 1 skipped, 0 failed" in result.stdout
    assert (out / "a.png").read_bytes() == b"precious" and (out / "c.png").is_file()
    run("compress", photos / "a.png", photos / "c.webp", "-k", "4", "--out-dir", out, "-f",
        check=True)
    check_quantized(out / "a.png", photos / "a.png", 4)


def test_an_output_that_is_an_input_is_refused_even_forced(run, photos):
    before = {name: (photos / name).read_bytes() for name in ("a.png", "b.JPG")}
    # Into the inputs' own folder without a suffix, a.png would replace itself.
    result = run("compress", photos / "a.png", photos / "b.JPG", "-k", "4", "--out-dir", photos,
                 "--force")
    assert result.returncode == 4
    assert "refusing to overwrite the input" in result.stderr and "a.png" in result.stderr
    assert (photos / "a.png").read_bytes() == before["a.png"]
    assert (photos / "b.png").is_file()  # b.JPG's output is another file: written


def test_an_output_that_is_an_input_through_links_is_refused(run, photos, tmp_path):
    original = (photos / "a.png").read_bytes()
    os.symlink(photos, tmp_path / "link")
    result = run("compress", photos / "a.png", "-k", "4", "--out-dir", tmp_path / "link",
                 "--suffix", "", "--force")
    assert result.returncode == 4 and "refusing" in result.stderr
    os.link(photos / "a.png", tmp_path / "hard.png")
    result = run("compress", photos / "a.png", "-k", "4", "-o", tmp_path / "hard.png", "--force")
    assert result.returncode == 4 and "refusing" in result.stderr
    assert (photos / "a.png").read_bytes() == original


def test_one_output_for_two_inputs_is_refused(run, tmp_path):
    for folder in ("x", "y"):
        (tmp_path / folder).mkdir()
        shutil.copy(TEST_DATA / "synthetic_rgb.png", tmp_path / folder / "a.png")
    result = run("compress", tmp_path / "x" / "a.png", tmp_path / "y" / "a.png", "-k", "4",
                 "--out-dir", tmp_path / "out")
    assert result.returncode == 4
    assert "would replace the output of" in result.stderr
    assert str(tmp_path / "y" / "a.png") in result.stderr
    assert listing(tmp_path / "out") == ["a.png"]


def test_batch_json_lists_every_file(run, photos, tmp_path):
    (photos / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    result = run("compress", photos, "-k", "8", "--json", "--out-dir", tmp_path / "out")
    assert result.returncode == 3
    document = json.loads(result.stdout)
    files = {pathlib.Path(f["input"]).name: f for f in document["files"]}
    assert sorted(files) == ["a.png", "b.JPG", "bad.png", "c.webp"]
    assert files["bad.png"]["status"] == "failed" and files["bad.png"]["exit_code"] == 3
    assert "bad.png" in files["bad.png"]["message"]
    for name in ("a.png", "b.JPG", "c.webp"):
        entry = files[name]
        assert entry["status"] == "written"
        row = entry["table"]["results"][0]
        output = pathlib.Path(row["file"])
        assert row["png_bytes"] == output.stat().st_size
        original = expected_input_rgb(photos / name)
        mse = float(((rgb_pixels(output) - original) ** 2).mean())
        assert row["mse"] == pytest.approx(mse, rel=1e-9, abs=1e-12)
    summary = document["summary"]
    assert (summary["files"], summary["written"], summary["failed"]) == (4, 3, 1)
    assert summary["output_bytes"] == sum(f["table"]["results"][0]["png_bytes"]
                                          for f in files.values() if f["status"] == "written")


def test_quiet_prints_nothing(run, photos):
    result = run("compress", photos, "-k", "2", "-q", check=True)
    assert result.stdout == "" and result.stderr == ""


def test_the_progress_bar_shows_on_a_terminal(kmquant_bin, photos):
    import pty
    import subprocess
    controller, terminal = pty.openpty()
    try:
        completed = subprocess.run([kmquant_bin, "compress", str(photos), "-k", "2"],
                                   stdout=subprocess.PIPE, stderr=terminal, timeout=120)
        os.close(terminal)
        shown = b""
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(controller)
    assert completed.returncode == 0
    assert b"3/3" in shown and b"[" in shown
    assert b"3 files: 3 written" in completed.stdout


@pytest.mark.parametrize("args", [
    ["-k", "4", "-o", "x.png"],                # -o with several inputs
    [],                                        # neither -k nor a quality target
    ["-k", "4", "--quality", "30"],            # both
    ["-k", "4", "--palette-out", "p.json"],    # one palette file for several inputs
    ["-k", "4", "-j", "0"],
])
def test_usage_errors_of_batches(run, photos, tmp_path, args):
    before = listing(photos)
    result = run("compress", photos / "a.png", photos / "c.webp", *args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("kmquant: ")
    assert listing(photos) == before and listing(tmp_path) == ["photos", *[f"photos/{n}" for n in before]]
