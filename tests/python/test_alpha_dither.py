"""RGBA quantization, dithering and remap from Python, checked with numpy."""
import numpy as np
import pytest

import kmquant
from conftest import SAMPLE, pillow_rgb


@pytest.fixture(scope="module")
def sample():
    return pillow_rgb(SAMPLE)


def premultiplied(pixels):
    pixels = pixels.astype(np.float64)
    return np.concatenate([pixels[..., :3] * pixels[..., 3:] / 255, pixels[..., 3:]], axis=-1)


def disc_on_transparent(sample):
    crop = sample[100:228, 300:428]
    yy, xx = np.mgrid[:128, :128]
    alpha = np.where((yy - 64) ** 2 + (xx - 64) ** 2 < 50 ** 2, 255, 0).astype(np.uint8)
    alpha[:, :20] = np.linspace(0, 254, 20, dtype=np.uint8)  # a translucent ramp at the left
    return np.dstack([crop, alpha])


def test_transparent_pixels_share_one_entry(sample):
    rgba = disc_on_transparent(sample)
    r = kmquant.quantize(rgba, 12, seed=1)
    assert r.palette.shape == (r.colors, 4) and r.image.shape == rgba.shape
    transparent = np.flatnonzero(r.palette[:, 3] == 0)
    assert transparent.size == 1 and tuple(r.palette[transparent[0]]) == (0, 0, 0, 0)
    assert np.array_equal(r.labels == transparent[0], rgba[..., 3] == 0)
    expected = np.mean((premultiplied(r.image) - premultiplied(rgba)) ** 2)
    assert r.mse == pytest.approx(expected, rel=1e-12)


def test_opaque_rgba_equals_rgb(sample):
    rgba = np.dstack([sample, np.full(sample.shape[:2], 255, np.uint8)])
    a = kmquant.quantize(sample, 8, seed=4)
    b = kmquant.quantize(rgba, 8, seed=4)
    assert np.array_equal(a.labels, b.labels) and np.array_equal(a.palette, b.palette)
    assert a.mse == b.mse and b.image.shape == sample.shape


def test_dithering_keeps_the_palette_and_measures_the_dithered_image(sample):
    plain = kmquant.quantize(sample, 16, seed=0)
    fs = kmquant.quantize(sample, 16, seed=0, dither=True)
    assert np.array_equal(plain.palette, fs.palette)
    assert not np.array_equal(plain.labels, fs.labels)
    expected = np.mean((fs.image.astype(np.int64) - sample.astype(np.int64)) ** 2)
    assert fs.mse == pytest.approx(expected, rel=1e-12)
    named = kmquant.quantize(sample, 16, seed=0, dither="floyd_steinberg")
    assert np.array_equal(named.labels, fs.labels)
    zero = kmquant.quantize(sample, 16, seed=0, dither=True, dither_strength=0.0)
    assert plain.converged and np.array_equal(zero.labels, plain.labels)
    # Dithering keeps local means: a blurred dithered image is nearer the original's blur.
    def blur(image):
        image = image.astype(np.float64)
        return sum(np.roll(np.roll(image, dy, 0), dx, 1) for dy in range(-2, 3) for dx in range(-2, 3)) / 25
    assert np.mean((blur(fs.image) - blur(sample)) ** 2) < np.mean((blur(plain.image) - blur(sample)) ** 2)


def test_remap_takes_the_nearest_entry(sample):
    rng = np.random.default_rng(3)
    palette = rng.integers(0, 256, size=(20, 3), dtype=np.uint8)
    crop = sample[:100, :150]
    r = kmquant.remap(crop, palette)
    distances = ((crop[:, :, None, :].astype(np.int64) - palette[None, None].astype(np.int64)) ** 2).sum(-1)
    assert np.array_equal(r.labels, distances.argmin(-1))  # argmin: the first of equals
    assert r.k == 20 and np.array_equal(r.palette, palette)
    assert r.mse == pytest.approx(np.mean((palette[r.labels].astype(np.int64) - crop) ** 2), rel=1e-12)


def test_remap_rgba_palette(sample):
    rgba = disc_on_transparent(sample)
    shared = kmquant.quantize(rgba, 16, seed=2)
    again = kmquant.remap(rgba, shared.palette, dither=True, dither_strength=0.5)
    assert again.palette.shape == (shared.colors, 4)
    expected = np.mean((premultiplied(again.image) - premultiplied(rgba)) ** 2)
    assert again.mse == pytest.approx(expected, rel=1e-12)


def test_bad_arguments(sample):
    with pytest.raises(kmquant.InvalidArgumentError):
        kmquant.quantize(sample, 4, dither=True, dither_strength=1.5)
    with pytest.raises(TypeError, match="dither"):  # as any option of a wrong value
        kmquant.quantize(sample, 4, dither="ordered")
    with pytest.raises(kmquant.InvalidArgumentError):
        kmquant.remap(sample, np.zeros((0, 3), np.uint8))
    with pytest.raises(kmquant.InvalidArgumentError):
        kmquant.remap(sample, np.zeros((257, 3), np.uint8))
    with pytest.raises(ValueError):
        kmquant.remap(sample, np.zeros((4, 2), np.uint8))
    with pytest.raises(TypeError):
        kmquant.remap(sample, np.zeros((4, 3), np.float32))
