"""Independent checks of kmquant's outputs: Pillow decodes, numpy recomputes."""
import json
import math
import pathlib
import struct

import numpy as np
from PIL import Image


def png_header(path):
    """(width, height, bit depth, colour type) straight from the IHDR chunk."""
    data = pathlib.Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    assert data[12:16] == b"IHDR"
    width, height, depth, colour_type = struct.unpack(">IIBB", data[16:26])
    return width, height, depth, colour_type


def rgb_pixels(path):
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"), dtype=np.int64)


def expected_input_rgb(path):
    """The input as kmquant should see it: 8-bit RGB, transparency composited on white."""
    with Image.open(path) as image:
        image.load()
        if image.mode in ("I;16", "I;16B", "I"):  # 16-bit grey: round to 8 bits
            grey = np.asarray(image, dtype=np.float64)
            return np.repeat(np.rint(grey * 255 / 65535)[..., None], 3, axis=2).astype(np.int64)
        rgba = np.asarray(image.convert("RGBA"), dtype=np.int64)
    alpha = rgba[..., 3:4]
    return (rgba[..., :3] * alpha + 255 * (255 - alpha) + 127) // 255


def matlab_round(values):
    """MATLAB's round: halves away from zero (numpy's rint rounds them to even)."""
    return np.sign(values) * np.floor(np.abs(values) + 0.5)


def ssim_oracle(original, distorted):
    """SSIM as Wang et al.'s ssim.m computes it (rgb2gray, automatic downsampling, 11x11 Gaussian
    window, sigma 1.5), recomputed with numpy and scikit-image; None where it is undefined."""
    from skimage.metrics import structural_similarity  # Debian: python3-skimage

    def grey(rgb):  # MATLAB's rgb2gray on uint8
        return matlab_round(rgb @ np.array([0.298936021293775, 0.587043074451121,
                                            0.114020904255103]))

    def downsample(image, f):  # imfilter(ones(f)/f^2, 'symmetric'), then every f-th pixel
        before, after = (f + 1) // 2 - 1, f - (f + 1) // 2
        padded = np.pad(image, ((before, after), (before, after)), mode="symmetric")
        h, w = image.shape
        box = sum(padded[i:i + h, j:j + w] for i in range(f) for j in range(f)) / (f * f)
        return box[::f, ::f]

    x, y = grey(original.astype(np.float64)), grey(distorted.astype(np.float64))
    f = max(1, int(matlab_round(min(x.shape) / 256)))
    x, y = downsample(x, f), downsample(y, f)
    if min(x.shape) < 11:
        return None
    return structural_similarity(x, y, gaussian_weights=True, sigma=1.5,
                                 use_sample_covariance=False, data_range=255)


def count_colours(pixels):
    """Distinct colours of an (H, W, 3) array, counted on packed 24-bit values (fast)."""
    packed = (pixels[..., 0] << 16) | (pixels[..., 1] << 8) | pixels[..., 2]
    return len(np.unique(packed))


def index_bits(k):
    return 0 if k <= 1 else math.ceil(math.log2(k))


def smallest_depth(colours):
    return next(d for d in (1, 2, 4, 8) if colours <= 1 << d)


def check_sweep_outputs(out_dir, ks, input_path, check_input=True):
    """Every file of a sweep is there and every number in results.json is what we recompute."""
    out_dir = pathlib.Path(out_dir)
    report = json.loads((out_dir / "results.json").read_text())
    saved = out_dir / "original.png"  # written with --save-original
    original = rgb_pixels(saved) if saved.exists() else expected_input_rgb(input_path)
    height, width, _ = original.shape
    n = width * height
    assert (report["width"], report["height"]) == (width, height)
    assert report["input_bytes"] == pathlib.Path(input_path).stat().st_size
    if check_input and saved.exists():
        assert np.array_equal(original, expected_input_rgb(input_path))
    assert report["unique_colors"] == count_colours(original)
    assert [r["k"] for r in report["results"]] == list(ks)

    for row in report["results"]:
        k = row["k"]
        path = out_dir / f"k{k}.png"
        assert pathlib.Path(row["file"]) == path or pathlib.Path(row["file"]).name == path.name
        w, h, depth, colour_type = png_header(path)
        assert (w, h, colour_type) == (width, height, 3), f"{path}: not an indexed PNG of the size"
        with Image.open(path) as indexed:
            palette_entries = len(indexed.getpalette()) // 3
        assert palette_entries == row["colors"] <= k
        assert depth == smallest_depth(row["colors"])
        pixels = rgb_pixels(path)
        assert count_colours(pixels) <= row["colors"]
        mse = float(np.mean((pixels - original) ** 2))
        assert math.isclose(row["mse"], mse, rel_tol=1e-9, abs_tol=1e-9), (k, row["mse"], mse)
        if mse == 0:
            assert row["psnr"] is None and row["lossless"]
        else:
            assert math.isclose(row["psnr"], 10 * math.log10(255 ** 2 / mse), rel_tol=1e-9)
        bits = n * index_bits(k) + 24 * k
        assert row["bits_per_pixel"] == index_bits(k)
        assert row["estimated_bytes"] == (bits + 7) // 8
        assert math.isclose(row["estimated_ratio"], 24 * n / bits, rel_tol=1e-12)
        expected_ssim = ssim_oracle(original, pixels)
        if expected_ssim is None:
            assert row["ssim"] is None
        else:
            assert math.isclose(row["ssim"], expected_ssim, rel_tol=1e-9), (k, row["ssim"],
                                                                           expected_ssim)
        assert row["png_bytes"] == path.stat().st_size
        assert row["seconds"] >= 0

    csv_lines = (out_dir / "results.csv").read_text().splitlines()
    assert len(csv_lines) == 1 + len(ks)
    grid_width, grid_height, _, _ = png_header(out_dir / "grid.png")
    assert grid_width >= 384 and grid_height >= 200
    leftovers = [p.name for p in out_dir.iterdir() if p.name.startswith(".")]
    assert not leftovers, f"temporary files left behind: {leftovers}"
    return report
