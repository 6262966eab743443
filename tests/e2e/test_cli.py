"""End-to-end tests of the kmquant binary on real images; outputs checked by oracle.py."""
import json
import pathlib
import shutil
import time

import numpy as np
import pytest

from conftest import SAMPLE, TEST_DATA, shared_image
from oracle import check_sweep_outputs, count_colours, png_header, rgb_pixels

DEFAULT_KS = [2, 4, 8, 16, 32]


def listing(folder):
    return sorted(p.relative_to(folder).as_posix() for p in pathlib.Path(folder).rglob("*"))


# --- help and version ---------------------------------------------------------------------

def test_help_lists_the_subcommands(run):
    result = run("--help")
    assert result.returncode == 0
    assert "sweep" in result.stdout and "compress" in result.stdout
    for sub in ("sweep", "compress"):
        sub_help = run(sub, "--help")
        assert sub_help.returncode == 0 and "--seed" in sub_help.stdout


def test_version(run):
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("kmquant ")


def test_no_subcommand_is_a_usage_error(run):
    result = run()
    assert result.returncode == 2
    assert "kmquant:" in result.stderr


# --- the sweep ----------------------------------------------------------------------------

def test_sweep_on_the_sample_by_default(run, tmp_path):
    result = run("sweep", "--save-original", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = tmp_path / "kmquant-out"
    assert listing(out) == sorted(
        ["original.png", "grid.png", "results.csv", "results.json"]
        + [f"k{k}.png" for k in DEFAULT_KS])
    report = check_sweep_outputs(out, DEFAULT_KS, SAMPLE)
    # The table names every k with its numbers.
    for row in report["results"]:
        assert f"{row['png_bytes']:,}" in result.stdout
    # More colours, less error.
    mses = [row["mse"] for row in report["results"]]
    assert mses == sorted(mses, reverse=True)


def test_sweep_json_matches_results_json(run, tmp_path):
    result = run("sweep", "--save-original", SAMPLE, "-k", "3,7", "-o", tmp_path / "o", "--json", check=True)
    printed = json.loads(result.stdout)
    written = json.loads((tmp_path / "o" / "results.json").read_text())
    assert printed == written
    check_sweep_outputs(tmp_path / "o", [3, 7], SAMPLE)


def test_sweep_is_deterministic(run, tmp_path):
    for name in ("a", "b"):
        run("sweep", "--save-original", SAMPLE, "-k", "4,16", "--seed", "9", "-o", tmp_path / name, check=True)
    for name in ("original.png", "k4.png", "k16.png", "grid.png"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    a, b = (json.loads((tmp_path / d / "results.json").read_text()) for d in ("a", "b"))
    for row_a, row_b in zip(a["results"], b["results"]):
        row_a.pop("seconds"), row_b.pop("seconds")
        row_a.pop("file"), row_b.pop("file")
        assert row_a == row_b


def test_sweep_repeated_k_is_written_once(run, tmp_path):
    run("sweep", "--save-original", SAMPLE, "-k", "4,4,2", "-o", tmp_path, check=True)
    report = json.loads((tmp_path / "results.json").read_text())
    assert [r["k"] for r in report["results"]] == [4, 2]


def test_sweep_on_fewer_colours_than_k_is_lossless(run, tmp_path):
    image = TEST_DATA / "basn3p02.png"  # a 4-colour palette image
    result = run("sweep", "--save-original", image, "-k", "2,4,8", "-o", tmp_path, check=True)
    report = check_sweep_outputs(tmp_path, [2, 4, 8], image)
    assert [r["lossless"] for r in report["results"]] == [False, True, True]
    assert "lossless" in result.stdout


@pytest.mark.parametrize("name", sorted(p.name for p in TEST_DATA.glob("*.png")))
def test_sweep_on_every_png_kind(run, tmp_path, name):
    image = TEST_DATA / name
    run("sweep", "--save-original", image, "-k", "1,2,5", "-o", tmp_path, check=True)
    w, h, depth, colour_type = png_header(image)
    check_sweep_outputs(tmp_path, [1, 2, 5], image, check_input=depth != 16 or colour_type == 0)


@pytest.mark.parametrize("relative", [
    "extra/world.topo.bathy.200412.3x5400x2700.jpg",
    "extra/abstract-939_150dpi.png",
    "extra/FairytaleCastle15_150dpi.png",
    "extra/gradient_freeform_color_72dpi.png",
    "extra/desert-landscape_72dpi.png",
    "extra/basn2c16.png",
])
def test_sweep_on_each_kind_of_shared_image(run, tmp_path, relative):
    image = shared_image(relative)
    result = run("sweep", "--save-original", image, "-o", tmp_path, check=True)
    check_sweep_outputs(tmp_path, DEFAULT_KS, image, check_input=not relative.endswith("c16.png"))
    if "150dpi" in relative:  # the RGBA images
        assert "transparency" in result.stderr


def test_sweep_reports_the_wall_time_of_its_quantization(run, tmp_path):
    started = time.perf_counter()
    result = run("sweep", SAMPLE, "-k", "2,8,32", "-o", tmp_path, "--json", check=True)
    wall = time.perf_counter() - started
    report = json.loads(result.stdout)
    # The ks run side by side: the phase takes part of the process, each k part of the phase.
    assert 0 < report["quantize_seconds"] < wall
    assert all(0 < row["seconds"] <= report["quantize_seconds"] for row in report["results"])


def test_desert_with_enough_colours_is_exact(run, tmp_path):
    image = shared_image("extra/desert-landscape_72dpi.png")
    run("sweep", "--save-original", image, "-k", "64,128", "-o", tmp_path, check=True)
    report = check_sweep_outputs(tmp_path, [64, 128], image)
    assert report["unique_colors"] == 81
    assert report["results"][1]["colors"] == 81 and report["results"][1]["mse"] == 0


# --- compress -----------------------------------------------------------------------------

def test_compress_writes_one_indexed_png(run, tmp_path):
    out = tmp_path / "small.png"
    result = run("compress", SAMPLE, "-k", "16", "-o", out, check=True)
    assert result.stdout.count("\n") == 1 and "small.png" in result.stdout
    assert png_header(out)[2:] == (4, 3)
    pixels = rgb_pixels(out)
    assert count_colours(pixels) <= 16
    assert listing(tmp_path) == ["small.png"]


def test_compress_json_matches_the_sweep(run, tmp_path):
    result = run("compress", SAMPLE, "-k", "8", "-o", tmp_path / "c.png", "--json", check=True)
    single = json.loads(result.stdout)
    assert len(single["results"]) == 1
    run("sweep", "--save-original", SAMPLE, "-k", "8", "-o", tmp_path / "s", check=True)
    swept = json.loads((tmp_path / "s" / "results.json").read_text())
    assert single["results"][0]["mse"] == swept["results"][0]["mse"]
    # The same pixels; compress compresses harder than the timed sweep (PngEffort normal
    # against fast), so its file is no larger.
    assert np.array_equal(rgb_pixels(tmp_path / "c.png"), rgb_pixels(tmp_path / "s" / "k8.png"))
    assert (tmp_path / "c.png").stat().st_size <= (tmp_path / "s" / "k8.png").stat().st_size


def test_compress_keeps_an_existing_file_unless_forced(run, tmp_path):
    out = tmp_path / "out.png"
    out.write_bytes(b"precious")
    result = run("compress", SAMPLE, "-k", "4", "-o", out)
    assert result.returncode == 4 and "already exists" in result.stderr
    assert out.read_bytes() == b"precious"
    run("compress", SAMPLE, "-k", "4", "-o", out, "--force", check=True)
    assert png_header(out)[3] == 3


def test_compress_never_overwrites_its_input(run, tmp_path):
    image = tmp_path / "in.png"
    shutil.copy(SAMPLE, image)
    before = image.read_bytes()
    result = run("compress", image, "-k", "4", "-o", image, "--force")
    assert result.returncode == 4 and "input" in result.stderr
    assert image.read_bytes() == before
    assert listing(tmp_path) == ["in.png"]


def test_sweep_never_overwrites_its_input(run, tmp_path):
    image = tmp_path / "original.png"  # the name the sweep gives its copy of the input
    shutil.copy(SAMPLE, image)
    before = image.read_bytes()
    result = run("sweep", "--save-original", image, "-k", "2", "-o", tmp_path)
    assert result.returncode == 4 and "input" in result.stderr
    assert image.read_bytes() == before
    assert listing(tmp_path) == ["original.png"]


# --- bad input ----------------------------------------------------------------------------

def bad_inputs(tmp_path):
    sample = SAMPLE.read_bytes()
    files = {
        "empty.png": b"",
        "truncated.png": sample[: len(sample) // 2],
        "corrupt.png": sample[:100] + bytes(range(256)) * 40,
        "notes.txt": b"just some text, not an image\n",
        "truncated.jpg": b"\xff\xd8\xff\xe0" + b"\x00" * 20,
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    return list(files)


@pytest.mark.parametrize("command", ["sweep", "compress"])
def test_bad_inputs_fail_cleanly(run, tmp_path, command):
    names = bad_inputs(tmp_path) + ["missing.png", "."]
    for name in names:
        out_dir = tmp_path / f"out-{command}"
        args = (["-o", out_dir] if command == "sweep" else ["-k", "4", "-o", out_dir / "o.png"])
        before = listing(tmp_path)
        result = run(command, tmp_path / name if name != "." else tmp_path, *args)
        assert result.returncode == 3, (name, result.returncode, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("kmquant: "), (name, result.stderr)
        shown = str(tmp_path / name) if name != "." else str(tmp_path)
        assert shown in lines[0], (name, lines[0])
        assert listing(tmp_path) == before, f"{name}: output left behind"


@pytest.mark.parametrize("ks", ["0", "257", "2,0", "-3", "abc", ""])
def test_k_out_of_range_is_a_usage_error(run, tmp_path, ks):
    result = run("sweep", "--save-original", SAMPLE, "-k", ks, "-o", tmp_path / "o")
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("kmquant: ")
    assert not (tmp_path / "o").exists()


def test_compress_k_out_of_range(run, tmp_path):
    result = run("compress", SAMPLE, "-k", "300", "-o", tmp_path / "o.png")
    assert result.returncode == 2 and "1 to 256" in result.stderr
    assert listing(tmp_path) == []


def test_unwritable_output_folder(run, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the folder should be")
    result = run("sweep", "--save-original", SAMPLE, "-k", "2", "-o", blocker / "out")
    assert result.returncode == 4, result.stderr
    assert str(blocker) in result.stderr
    result = run("compress", SAMPLE, "-k", "2", "-o", tmp_path / "no" / "such" / "o.png")
    assert result.returncode == 4, result.stderr
    assert listing(tmp_path) == ["file"]


def test_output_in_proc_is_refused(run):
    result = run("sweep", "--save-original", SAMPLE, "-k", "2", "-o", "/proc/kmquant-out")
    assert result.returncode == 4
    assert "/proc/kmquant-out" in result.stderr
