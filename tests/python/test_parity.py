"""What the Python module shares with the command line and its peers: quality targets by the
CLI's own search, files by extension, Pillow images and grey arrays, pickling, and one palette
for a set of images. Each checked against the CLI's files (decoded by Pillow) or numpy."""
import pickle

import numpy as np
import pytest
from PIL import Image

import kmquant
from conftest import SAMPLE, TEST_DATA


@pytest.fixture(scope="module")
def crop(tmp_path_factory):
    """A 160×120 piece of the sample photo as a PNG file: small enough for a quality search."""
    path = tmp_path_factory.mktemp("parity") / "crop.png"
    with Image.open(SAMPLE) as image:
        image.crop((300, 100, 460, 220)).save(path)
    return path


def pillow_pixels(path):
    with Image.open(path) as image:
        return np.asarray(image.convert("RGBA" if "transparency" in image.info else "RGB"))


@pytest.mark.parametrize("python_target, cli_target", [
    ({"quality": (28, 31)}, ["--quality", "28-31"]),
    ({"quality": 31}, ["--quality", "31"]),
    ({"max_error": 60.0}, ["--max-error", "60"]),
    ({"quality": (20, 45), "max_colors": 24}, ["--quality", "20-45", "--max-colors", "24"]),
])
def test_quality_targets_match_the_command_line(cli, crop, tmp_path, python_target, cli_target):
    out = tmp_path / "cli.png"
    assert cli("compress", crop, "-o", out, "-q", *cli_target).returncode == 0
    result = kmquant.quantize(kmquant.load(crop), **python_target)
    written = pillow_pixels(out)
    assert np.array_equal(result.image, written)
    with Image.open(out) as image:
        assert len(image.getpalette()) // 3 == result.colors
    # The error is the one the CLI's search measured: numpy's MSE of the written pixels.
    mse = np.mean((written.astype(np.int64) - kmquant.load(crop).astype(np.int64)) ** 2)
    assert result.mse == pytest.approx(mse, rel=1e-12)


def test_an_unreachable_minimum_is_a_quality_error(cli, crop, tmp_path):
    assert cli("compress", crop, "-o", tmp_path / "x.png", "--quality", "45-50",
               "--max-colors", "4").returncode == 6
    with pytest.raises(kmquant.QualityError):
        kmquant.quantize(kmquant.load(crop), quality=(45, 50), max_colors=4)


def test_k_or_a_target_not_both(crop):
    image = kmquant.load(crop)
    for bad in ({"k": 16, "quality": (30, 35)}, {}, {"quality": (30, 35), "max_error": 10},
                {"quality": (40, 30)}, {"quality": (1, 2, 3)}):
        with pytest.raises(kmquant.InvalidArgumentError):
            kmquant.quantize(image, **bad)


def test_save_follows_the_extension(cli, crop, tmp_path):
    result = kmquant.quantize(kmquant.load(crop), 16)
    kmquant.save(tmp_path / "a.webp", result)
    kmquant.save(tmp_path / "a.PNG", result)
    assert cli("compress", crop, "-k", "16", "-o", tmp_path / "cli.webp", "-q").returncode == 0
    assert (tmp_path / "a.webp").read_bytes() == (tmp_path / "cli.webp").read_bytes()
    assert (tmp_path / "a.PNG").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert np.array_equal(pillow_pixels(tmp_path / "a.webp"), result.image)


@pytest.mark.parametrize("name", ["x.jpg", "x.gif", "x", "x.png.bak"])
def test_save_refuses_other_extensions(tmp_path, name):
    result = kmquant.quantize(kmquant.load(TEST_DATA / "synthetic_rgb.png"), 4)
    with pytest.raises(kmquant.InvalidArgumentError, match="png or .webp"):
        kmquant.save(tmp_path / name, result)
    assert not (tmp_path / name).exists()


def test_an_image_is_not_saved_as_webp(tmp_path):
    with pytest.raises(kmquant.InvalidArgumentError, match="Result"):
        kmquant.save(tmp_path / "x.webp", np.zeros((4, 4, 3), np.uint8))
    assert not (tmp_path / "x.webp").exists()


@pytest.mark.parametrize("mode, converted", [
    ("RGB", "RGB"), ("RGBA", "RGBA"), ("L", "RGB"), ("P", "RGB"), ("CMYK", "RGB"),
    ("I", "RGB"), ("LA", "RGBA"), ("PA", "RGBA")])
def test_pillow_images_are_taken_as_pillow_converts_them(mode, converted):
    """Any mode: RGBA where it carries transparency, else RGB, as Pillow's convert() gives."""
    with Image.open(TEST_DATA / "synthetic_rgba.png") as source:
        image = source.convert(mode)
    from_pillow = kmquant.quantize(image, 8, effort=1)
    from_array = kmquant.quantize(np.asarray(image.convert(converted)), 8, effort=1)
    assert np.array_equal(from_pillow.labels, from_array.labels)
    assert np.array_equal(from_pillow.palette, from_array.palette)
    pixels = np.asarray(image.convert(converted))
    translucent = converted == "RGBA" and bool((pixels[..., 3] < 255).any())
    assert (from_pillow.palette.shape[1] == 4) == translucent


def test_a_palette_image_with_a_transparent_index_keeps_it():
    indices = np.arange(16, dtype=np.uint8).reshape(4, 4)
    image = Image.fromarray(indices, "P")
    image.putpalette([value for i in range(16) for value in (i * 16, 0, 255 - i * 16)])
    image.info["transparency"] = 3
    result = kmquant.quantize(image, 16)
    assert result.palette.shape == (16, 4) and result.image[0, 3, 3] == 0


def test_a_pillow_image_gives_the_result_of_its_array():
    with Image.open(SAMPLE) as image:
        from_pillow = kmquant.quantize(image, 8, effort=1)
        from_array = kmquant.quantize(np.asarray(image.convert("RGB")), 8, effort=1)
    assert np.array_equal(from_pillow.labels, from_array.labels)
    assert np.array_equal(from_pillow.palette, from_array.palette)


def test_a_grey_array_is_quantized_as_rgb():
    grey = kmquant.load(SAMPLE)[..., 1].copy()
    result = kmquant.quantize(grey, 8, effort=1)
    expected = kmquant.quantize(np.repeat(grey[..., None], 3, axis=2), 8, effort=1)
    assert np.array_equal(result.labels, expected.labels)
    assert np.array_equal(result.palette, expected.palette)


def test_results_pickle(tmp_path):
    for image in (kmquant.load(SAMPLE), kmquant.load(TEST_DATA / "synthetic_rgba.png")):
        result = kmquant.quantize(image, 16, effort=1)
        copy = pickle.loads(pickle.dumps(result))
        for name in ("k", "width", "height", "mse", "psnr", "iterations", "converged",
                     "lossless", "seconds", "unique_colors"):
            assert getattr(copy, name) == getattr(result, name), name
        assert np.array_equal(copy.labels, result.labels)
        assert np.array_equal(copy.palette, result.palette)
        kmquant.save(tmp_path / "a.png", result)
        kmquant.save(tmp_path / "b.png", copy)
        assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()


def test_shared_palette_is_k_means_over_the_union():
    """The merged colours weighted by pixels are the colours of the images stacked into one:
    quantizing that stack must find the same palette."""
    photo = kmquant.load(SAMPLE)
    parts = [photo[:128, :256], photo[128:320, :256], photo[320:, :256]]
    stacked = np.concatenate(parts, axis=0)
    expected = kmquant.quantize(stacked, 16, effort=2).palette
    for order in ([0, 1, 2], [2, 0, 1], [1, 2, 0]):
        palette = kmquant.shared_palette([parts[i] for i in order], 16, effort=2)
        assert np.array_equal(palette, expected), order


def test_shared_palette_takes_files_and_weights_by_pixels(tmp_path):
    red = np.zeros((10, 10, 3), np.uint8)
    red[..., 0] = 255
    blue = np.zeros((1, 1, 3), np.uint8)
    blue[..., 2] = 255
    Image.fromarray(red).save(tmp_path / "red.png")
    # One colour for 100 red pixels and 1 blue: k-means puts it at their weighted mean.
    palette = kmquant.shared_palette([tmp_path / "red.png", blue], 1)
    assert palette.tolist() == [[round(255 * 100 / 101), 0, round(255 / 101)]]
    with pytest.raises(kmquant.InvalidArgumentError):
        kmquant.shared_palette([], 4)
