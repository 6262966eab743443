"""kmquant compress --palette-out, --labels-out and --skip-if-larger, checked with numpy."""
import json
import shutil
import struct

import numpy as np
import pytest
from PIL import Image

from conftest import SAMPLE, TEST_DATA
from oracle import rgb_pixels


def test_palette_json_and_npy_labels_rebuild_the_png(run, tmp_path):
    out, palette_file, labels_file = tmp_path / "o.png", tmp_path / "p.json", tmp_path / "l.npy"
    run("compress", SAMPLE, "-k", "24", "-o", out, "--palette-out", palette_file,
        "--labels-out", labels_file, check=True)
    document = json.loads(palette_file.read_text())
    assert document["k"] == 24 and document["source"] == str(SAMPLE)
    palette = np.array(document["palette"], dtype=np.int64)
    assert palette.shape == (document["colors"], 3) and document["colors"] <= 24
    labels = np.load(labels_file)
    assert labels.dtype == np.uint8 and labels.shape == (512, 768)
    assert labels.max() < len(palette)
    # The index map through the palette is the PNG written, pixel for pixel.
    assert (palette[labels] == rgb_pixels(out)).all()


def test_npy_header_is_format_1_0(run, tmp_path):
    labels_file = tmp_path / "l.NPY"
    run("compress", TEST_DATA / "synthetic_rgb.png", "-k", "4", "-o", tmp_path / "o.png",
        "--labels-out", labels_file, check=True)
    data = labels_file.read_bytes()
    assert data[:8] == b"\x93NUMPY\x01\x00"
    header_length = struct.unpack("<H", data[8:10])[0]
    assert (10 + header_length) % 64 == 0 and len(data) == 10 + header_length + 64 * 48


def test_palette_strip_and_raw_labels(run, tmp_path):
    out = tmp_path / "o.png"
    run("compress", SAMPLE, "-k", "9", "-o", out, "--palette-out", tmp_path / "p.png",
        "--labels-out", tmp_path / "l.bin", check=True)
    with Image.open(tmp_path / "p.png") as strip:
        assert strip.height == 1 and strip.width <= 9
        palette = np.asarray(strip.convert("RGB"), dtype=np.int64)[0]
    labels = np.frombuffer((tmp_path / "l.bin").read_bytes(), dtype=np.uint8)
    assert labels.size == 768 * 512
    assert (palette[labels.reshape(512, 768)] == rgb_pixels(out)).all()


def test_palette_and_labels_per_file_of_a_batch(run, tmp_path):
    shutil.copy(TEST_DATA / "synthetic_rgb.png", tmp_path / "a.png")
    shutil.copy(TEST_DATA / "synthetic_baseline.jpg", tmp_path / "b.jpg")
    run("compress", tmp_path / "a.png", tmp_path / "b.jpg", "-k", "6", "--out-dir",
        tmp_path / "out", "--palette-out", tmp_path / "out" / "{stem}-palette.json",
        "--labels-out", tmp_path / "out" / "{stem}.npy", check=True)
    for stem in ("a", "b"):
        palette = np.array(json.loads((tmp_path / "out" / f"{stem}-palette.json").read_text())
                           ["palette"])
        labels = np.load(tmp_path / "out" / f"{stem}.npy")
        assert (palette[labels] == rgb_pixels(tmp_path / "out" / f"{stem}.png")).all()


def test_all_outputs_of_a_file_or_none(run, tmp_path):
    (tmp_path / "l.npy").write_bytes(b"keep")
    result = run("compress", SAMPLE, "-k", "4", "-o", tmp_path / "o.png", "--labels-out",
                 tmp_path / "l.npy")
    assert result.returncode == 4 and "l.npy" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["l.npy"]
    assert (tmp_path / "l.npy").read_bytes() == b"keep"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A 44-byte lossless WebP of one flat colour: no indexed PNG of it can be as small (the PNG
    signature and its four chunks' framing alone take 57 bytes)."""
    path = tmp_path_factory.mktemp("tiny") / "tiny.webp"
    Image.new("RGB", (64, 64), (10, 20, 30)).save(path, lossless=True)
    assert path.stat().st_size < 57
    return path


def test_skip_if_larger_writes_nothing_and_exits_98(run, tmp_path, tiny):
    result = run("compress", tiny, "-k", "256", "-o", tmp_path / "o.png",
                 "--skip-if-larger", "--palette-out", tmp_path / "p.json")
    assert result.returncode == 98, result.stderr
    assert "skipped" in result.stderr and "tiny.webp" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_skip_if_larger_writes_what_is_smaller(run, tmp_path, tiny):
    shutil.copy(SAMPLE, tmp_path / "photo.png")
    shutil.copy(tiny, tmp_path / "tiny.webp")
    result = run("compress", tmp_path / "photo.png", tmp_path / "tiny.webp", "-k", "16",
                 "--skip-if-larger", "--out-dir", tmp_path / "out")
    assert result.returncode == 98
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["photo.png"]
    assert (tmp_path / "out" / "photo.png").stat().st_size < SAMPLE.stat().st_size
    assert "1 skipped" in result.stdout


def test_without_skip_if_larger_a_larger_file_is_written(run, tmp_path, tiny):
    run("compress", tiny, "-k", "256", "-o", tmp_path / "o.png", check=True)
    assert (tmp_path / "o.png").stat().st_size > tiny.stat().st_size
