"""kmquant compress with transparency, dithering, --remap, WebP output and --keep-metadata,
checked with Pillow and numpy."""
import json

import numpy as np
import pytest
from PIL import Image, PngImagePlugin

from conftest import SAMPLE, TEST_DATA
from oracle import rgb_pixels


def rgba_pixels(path):
    with Image.open(path) as image:
        return np.asarray(image.convert("RGBA"), dtype=np.int64)


def premultiplied_mse(a, b):
    """kmquant's error with transparency: mean over pixels and 4 channels of (c·a/255, a)."""
    def premultiply(p):
        return np.concatenate([p[..., :3] * p[..., 3:4] / 255.0, p[..., 3:4]], axis=2)
    return float(np.mean((premultiply(a) - premultiply(b)) ** 2))


def compress_json(run, *args):
    result = run("compress", *args, "--json", check=True)
    return json.loads(result.stdout)["results"][0]


@pytest.fixture
def shape_on_transparency(tmp_path):
    """A translucent gradient disc on a fully transparent background whose hidden colours vary."""
    h, w = 64, 80
    y, x = np.mgrid[0:h, 0:w]
    rgba = np.zeros((h, w, 4), dtype=np.uint8)
    rgba[..., 0] = x * 3
    rgba[..., 1] = y * 4
    rgba[..., 2] = (x + y) % 256
    inside = (x - 40) ** 2 + (y - 32) ** 2 < 25 ** 2
    rgba[..., 3] = np.where(inside, 255 - (x * 2) % 200, 0)
    path = tmp_path / "shape.png"
    Image.fromarray(rgba, "RGBA").save(path)
    return path


def test_transparency_is_kept_as_a_trns_palette(run, tmp_path, shape_on_transparency):
    out = tmp_path / "out.png"
    row = compress_json(run, shape_on_transparency, "-k", "16", "-o", out)
    with Image.open(out) as image:
        assert image.mode == "P" and "transparency" in image.info
        palette = np.array(image.getpalette(), dtype=np.int64).reshape(-1, 3)
        alpha = np.frombuffer(image.info["transparency"], dtype=np.uint8)
    written, original = rgba_pixels(out), rgba_pixels(shape_on_transparency)
    # The fully transparent background: one palette entry, alpha 0, nothing else uses it.
    background = original[..., 3] == 0
    assert (written[background][:, 3] == 0).all()
    assert np.count_nonzero(alpha == 0) == 1
    assert row["colors"] <= 16 and len(palette) == row["colors"]
    assert row["mse"] == pytest.approx(premultiplied_mse(written, original), rel=1e-9)


def test_unique_colours_of_a_transparent_image_are_rgba_ones(run, tmp_path,
                                                            shape_on_transparency):
    """The JSON counts an image with transparency's RGBA colours, all fully transparent pixels
    as one: not the colours of the image flattened on white."""
    report = json.loads(run("compress", shape_on_transparency, "-k", "16", "-o",
                            tmp_path / "out.png", "--json", check=True).stdout)
    original = rgba_pixels(shape_on_transparency).reshape(-1, 4)
    visible = original[original[:, 3] > 0]
    expected = len(np.unique(visible, axis=0)) + int((original[:, 3] == 0).any())
    assert report["unique_colors"] == expected


def test_transparency_with_a_quality_target(run, tmp_path, shape_on_transparency):
    out = tmp_path / "out.png"
    row = compress_json(run, shape_on_transparency, "--quality", "30", "-o", out)
    assert row["psnr"] >= 30
    mse = premultiplied_mse(rgba_pixels(out), rgba_pixels(shape_on_transparency))
    assert row["mse"] == pytest.approx(mse, rel=1e-9)


def test_dithering_changes_the_pixels_and_reports_their_error(run, tmp_path):
    plain, dithered, none = tmp_path / "p.png", tmp_path / "d.png", tmp_path / "n.png"
    run("compress", SAMPLE, "-k", "8", "-o", plain, check=True)
    row = compress_json(run, SAMPLE, "-k", "8", "--dither", "fs", "-o", dithered)
    original, pixels = rgb_pixels(SAMPLE), rgb_pixels(dithered)
    assert not np.array_equal(pixels, rgb_pixels(plain))
    assert row["mse"] == pytest.approx(float(np.mean((pixels - original) ** 2)), rel=1e-9)
    # The palette is the same k-means palette; dithering only spreads it differently.
    assert set(map(tuple, pixels.reshape(-1, 3))) <= set(map(tuple, rgb_pixels(plain).reshape(-1, 3)))
    # Seen from afar (8×8 block means) the dithered image is nearer the original: the point.
    def blurred(p):
        h, w = p.shape[0] // 8 * 8, p.shape[1] // 8 * 8
        return p[:h, :w].reshape(h // 8, 8, w // 8, 8, 3).mean(axis=(1, 3))
    def blurred_mse(p):
        return float(np.mean((blurred(p) - blurred(original)) ** 2))
    assert blurred_mse(pixels) < blurred_mse(rgb_pixels(plain))
    run("compress", SAMPLE, "-k", "8", "--dither", "fs", "--dither-strength", "0", "-o", none,
        check=True)
    assert np.array_equal(rgb_pixels(none), rgb_pixels(plain))


@pytest.mark.parametrize("args", [["--dither", "ordered"], ["--dither-strength", "1.5"]])
def test_bad_dither_settings_are_usage_errors(run, tmp_path, args):
    result = run("compress", SAMPLE, "-k", "8", *args, "-o", tmp_path / "o.png")
    assert result.returncode == 2 and not (tmp_path / "o.png").exists()


def test_remap_maps_every_pixel_to_its_nearest_palette_colour(run, tmp_path):
    palette_file = tmp_path / "palette.json"
    run("compress", SAMPLE, "-k", "12", "-o", tmp_path / "a.png", "--palette-out", palette_file,
        check=True)
    palette = np.array(json.loads(palette_file.read_text())["palette"], dtype=np.int64)
    other = TEST_DATA / "synthetic_rgb.png"
    out = tmp_path / "b.png"
    row = compress_json(run, other, "--remap", palette_file, "-o", out)
    original, written = rgb_pixels(other), rgb_pixels(out)
    distances = ((original[:, :, None, :] - palette[None, None, :, :]) ** 2).sum(axis=3)
    nearest = palette[distances.argmin(axis=2)]
    assert np.array_equal(written, nearest)
    assert row["mse"] == pytest.approx(float(np.mean((written - original) ** 2)), rel=1e-9)


@pytest.mark.parametrize("extra", [["-k", "8"], ["--quality", "30"]])
def test_remap_refuses_a_k_or_quality_target(run, tmp_path, extra):
    palette_file = tmp_path / "palette.json"
    palette_file.write_text(json.dumps({"palette": [[0, 0, 0], [255, 255, 255]]}))
    result = run("compress", SAMPLE, "--remap", palette_file, *extra, "-o", tmp_path / "o.png")
    assert result.returncode == 2 and "--remap" in result.stderr


def test_remap_with_a_broken_palette_file_names_it(run, tmp_path):
    palette_file = tmp_path / "palette.json"
    palette_file.write_text("{ not json")
    result = run("compress", SAMPLE, "--remap", palette_file, "-o", tmp_path / "o.png")
    assert result.returncode == 3 and "palette.json" in result.stderr
    assert not (tmp_path / "o.png").exists()


def test_webp_output_is_lossless_of_the_same_pixels(run, tmp_path):
    png, webp = tmp_path / "o.png", tmp_path / "o.webp"
    run("compress", SAMPLE, "-k", "16", "-o", png, check=True)
    run("compress", SAMPLE, "-k", "16", "-o", webp, check=True)
    with Image.open(webp) as image:
        assert image.format == "WEBP"
    assert np.array_equal(rgb_pixels(webp), rgb_pixels(png))


def test_metadata_is_stripped_unless_kept(run, tmp_path):
    source = tmp_path / "tagged.png"
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "kmquant test")
    with Image.open(SAMPLE) as image:
        image.save(source, pnginfo=info, dpi=(300, 300))
    stripped, kept = tmp_path / "s.png", tmp_path / "k.png"
    run("compress", source, "-k", "8", "-o", stripped, check=True)
    run("compress", source, "-k", "8", "--keep-metadata", "-o", kept, check=True)
    with Image.open(stripped) as image:
        assert "Author" not in image.info and "dpi" not in image.info
    with Image.open(kept) as image:
        assert image.info["Author"] == "kmquant test"
        assert tuple(round(v) for v in image.info["dpi"]) == (300, 300)
    assert np.array_equal(rgb_pixels(kept), rgb_pixels(stripped))
