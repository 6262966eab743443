"""The numbers peers.py computes itself, the same way for every tool: the original's pixels as
Pillow decodes them, and each output's error and colour count against them."""
import math
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image


@dataclass
class Distortion:
    sse: int     # sum over pixels and channels of (output − original)², exact
    mse: float   # sse / (3 · pixels)
    psnr: float  # 10·log10(255² / mse); inf when mse is 0


def png_bit_depth(path):
    """The bit depth in a PNG's IHDR chunk, or None for another format."""
    with open(path, "rb") as file:
        head = file.read(26)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return struct.unpack(">B", head[24:25])[0]


def load_original(path):
    """The input as (H, W, 3) uint8, decoded by Pillow. Returns (pixels, None), or (None, reason)
    for inputs that kmquant and Pillow would not see alike: transparency (kmquant composites it
    on white, Pillow's convert drops it) and 16-bit PNGs (kmquant rounds to 8 bits, Pillow
    truncates)."""
    if png_bit_depth(path) == 16:
        return None, "16-bit PNG"
    with Image.open(path) as image:
        image.load()
        if "A" in image.mode or "transparency" in image.info:
            return None, "has transparency"
        return np.asarray(image.convert("RGB"), dtype=np.uint8), None


def distortion(output, original):
    if output.shape != original.shape:
        raise ValueError(f"output is {output.shape[1]}×{output.shape[0]}, "
                         f"the input {original.shape[1]}×{original.shape[0]}")
    diff = output.astype(np.int32) - original.astype(np.int32)
    sse = int(np.sum(diff * diff, dtype=np.int64))
    mse = sse / diff.size
    return Distortion(sse, mse, math.inf if sse == 0 else 10 * math.log10(255 * 255 / mse))


def distinct_colors(rgb):
    channels = rgb.astype(np.uint32)
    packed = (channels[..., 0] << 16) | (channels[..., 1] << 8) | channels[..., 2]
    return int(np.unique(packed).size)


def is_png(path):
    return png_bit_depth(path) is not None


def as_png(path, pixels, folder):
    """The input itself when it is a PNG, otherwise a lossless PNG copy of its decoded pixels
    (pngquant reads PNG only); written before any timing starts."""
    if is_png(path):
        return Path(path)
    copy = Path(folder) / (Path(path).stem + ".png")
    Image.fromarray(pixels, "RGB").save(copy, compress_level=1)
    return copy
