"""kmquant compress with pngquant's habits (docs/pngquant.md) and one palette for a set: each
spelling checked against kmquant's own option for the same thing, outputs decoded by Pillow."""
import json
import os
import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image

from conftest import SAMPLE, TEST_DATA
from oracle import rgb_pixels


@pytest.fixture
def images(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    with Image.open(SAMPLE) as photo:
        photo.crop((0, 0, 192, 128)).save(folder / "a.png")
        photo.crop((400, 300, 592, 428)).save(folder / "b.png")
    shutil.copy(TEST_DATA / "synthetic_baseline.jpg", folder / "c.jpg")
    return folder


@pytest.mark.parametrize("pngquant, kmquant", [
    (["--nofs"], ["--dither", "none"]),
    (["--floyd"], ["--dither", "fs"]),
    (["--floyd=0.5"], ["--dither", "fs", "--dither-strength", "0.5"]),
    (["--speed", "1"], ["--effort", "10"]),
    (["--speed", "4"], ["--effort", "7"]),
    (["--speed", "11"], ["--effort", "1"]),
    (["--strip", "-v"], []),
])
def test_pngquant_spellings_mean_kmquant_options(run, images, tmp_path, pngquant, kmquant):
    run("compress", images / "a.png", "-k", "16", *pngquant, "-o", tmp_path / "p.png", check=True)
    run("compress", images / "a.png", "-k", "16", *kmquant, "-o", tmp_path / "k.png", check=True)
    assert (tmp_path / "p.png").read_bytes() == (tmp_path / "k.png").read_bytes()


def test_floyd_before_a_file_takes_the_file_as_input(run, images, tmp_path):
    run("compress", "-k", "8", "--floyd", images / "a.png", "--out-dir", tmp_path / "p",
        check=True)
    run("compress", "-k", "8", "--dither", "fs", images / "a.png", "--out-dir", tmp_path / "k",
        check=True)
    assert (tmp_path / "p/a.png").read_bytes() == (tmp_path / "k/a.png").read_bytes()


def test_a_positional_colour_count(run, images, tmp_path):
    run("compress", "24", images / "a.png", "-o", tmp_path / "p.png", check=True)
    run("compress", "-k", "24", images / "a.png", "-o", tmp_path / "k.png", check=True)
    assert (tmp_path / "p.png").read_bytes() == (tmp_path / "k.png").read_bytes()
    # A file named like a number stays a file.
    shutil.copy(images / "b.png", tmp_path / "24")
    result = run("compress", "24", images / "a.png", "-k", "4", "--out-dir", tmp_path / "o",
                 cwd=tmp_path)
    assert result.returncode == 0 and (tmp_path / "o" / "24.png").is_file()


def test_pngquant_quality_gets_the_db_scale_explained(run, images):
    result = run("compress", "--quality", "65-80", images / "a.png")
    assert result.returncode == 2
    assert "PSNR in dB" in result.stderr and "pngquant's 0-100" in result.stderr
    assert not any(name.endswith("-kmq.png") for name in os.listdir(images))


def test_ext_names_the_outputs(run, images):
    run("compress", "-k", "8", "--ext", "-fs8.png", images / "a.png", images / "c.jpg",
        check=True)
    assert (images / "a-fs8.png").is_file() and (images / "c-fs8.png").is_file()


@pytest.mark.parametrize("flags", [["--in-place"], ["--ext", ".png", "--force"]])
def test_in_place_replaces_png_inputs_only_when_asked(run, images, tmp_path, flags):
    run("compress", "-k", "8", images / "a.png", "-o", tmp_path / "expected.png", check=True)
    jpeg = (images / "c.jpg").read_bytes()
    run("compress", "-k", "8", *flags, images / "a.png", images / "c.jpg", check=True)
    assert (images / "a.png").read_bytes() == (tmp_path / "expected.png").read_bytes()
    assert (images / "c.jpg").read_bytes() == jpeg and (images / "c.png").is_file()
    assert sorted(os.listdir(images)) == ["a.png", "b.png", "c.jpg", "c.png"]  # no temporaries


def test_ext_png_without_force_keeps_the_input(run, images):
    before = (images / "a.png").read_bytes()
    result = run("compress", "-k", "8", "--ext", ".png", images / "a.png")
    assert result.returncode == 4 and (images / "a.png").read_bytes() == before


def test_a_batch_run_again_skips_what_exists(run, images):
    first = run("compress", "-k", "8", images / "a.png", images / "b.png")
    assert first.returncode == 0
    again = run("compress", "-k", "8", images / "a.png", images / "b.png", "--json")
    assert again.returncode == 0
    report = json.loads(again.stdout)
    assert [f["status"] for f in report["files"]] == ["skipped", "skipped"]
    assert report["summary"]["failed"] == 0 and "already exists" in report["files"][0]["message"]


def test_ascii_without_a_utf8_locale_and_larger_said_so(run, images, kmquant_bin, tmp_path):
    # A 4x4 image of 16 colours: its 16-colour PNG is larger than its own tiny file.
    tiny = tmp_path / "tiny.png"
    Image.fromarray(np.arange(48, dtype=np.uint8).reshape(4, 4, 3) * 5).save(tiny)
    for lang, unicode in (("C", False), ("C.UTF-8", True)):
        env = {key: value for key, value in os.environ.items() if not key.startswith("LC_")}
        env["LANG"] = lang
        result = subprocess.run([kmquant_bin, "compress", "-k", "16", tiny, images / "a.png",
                                 "--out-dir", tmp_path / lang], capture_output=True, text=True,
                                env=env, timeout=600)
        assert result.returncode == 0
        assert result.stdout.isascii() != unicode
        assert "larger than the input" in result.stdout and "smaller than the input" in result.stdout
        # One number format: byte counts of 4 digits and more are grouped everywhere.
        for line in result.stdout.splitlines()[1:]:
            assert not any(word.isdigit() and len(word) > 3 for word in line.split()), line


def test_shared_palette_maps_every_image_to_one_palette(run, images, tmp_path):
    inputs = [images / "a.png", images / "b.png", images / "c.jpg"]
    run("compress", "--shared-palette", "-k", "16", *inputs, "--out-dir", tmp_path / "one",
        "--palette-out", tmp_path / "palette.json", check=True)
    palette = np.array(json.loads((tmp_path / "palette.json").read_text())["palette"])
    assert len(palette) == 16
    for source in inputs:
        pixels = rgb_pixels(tmp_path / "one" / (source.stem + ".png"))
        assert {tuple(c) for c in pixels.reshape(-1, 3)} <= {tuple(c) for c in palette}
    # The same for any order of the inputs.
    run("compress", "--shared-palette", "-k", "16", *reversed(inputs), "--out-dir",
        tmp_path / "two", "--palette-out", tmp_path / "palette2.json", check=True)
    assert (tmp_path / "palette.json").read_bytes() == (tmp_path / "palette2.json").read_bytes()
    for source in inputs:
        name = source.stem + ".png"
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_shared_palette_equals_one_image_of_the_union(run, images, tmp_path):
    """Two images stacked into one file have exactly the merged colours: compressing that file
    at k must find the palette --shared-palette finds for the two."""
    a, b = rgb_pixels(images / "a.png"), rgb_pixels(images / "b.png")
    Image.fromarray(np.concatenate([a, b], axis=0).astype(np.uint8)).save(tmp_path / "union.png")
    run("compress", "-k", "12", tmp_path / "union.png", "-o", tmp_path / "union-k.png",
        "--palette-out", tmp_path / "union.json", check=True)
    run("compress", "--shared-palette", "-k", "12", images / "a.png", images / "b.png",
        "--out-dir", tmp_path / "shared", "--palette-out", tmp_path / "shared.json", check=True)
    union = json.loads((tmp_path / "union.json").read_text())["palette"]
    shared = json.loads((tmp_path / "shared.json").read_text())["palette"]
    assert sorted(map(tuple, union)) == sorted(map(tuple, shared))


def test_shared_palette_needs_k(run, images):
    result = run("compress", "--shared-palette", "--quality", "30-35", images / "a.png")
    assert result.returncode == 2 and "--shared-palette needs -k" in result.stderr
