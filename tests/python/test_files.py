"""kmquant.load and kmquant.save, checked against Pillow's decoding."""
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

import kmquant
from conftest import SAMPLE, TEST_DATA


def pillow(path, mode):
    with Image.open(path) as image:
        return np.asarray(image.convert(mode))


@pytest.mark.parametrize("name, mode", [
    ("synthetic_rgb.png", "RGB"),
    ("tbrn2c08.png", "RGBA"),   # RGB with a tRNS chunk
    ("basn6a08.png", "RGBA"),   # RGBA
    ("basn4a08.png", "RGBA"),   # grey and alpha
    ("basn3p08.png", "RGB"),    # palette
    ("basn0g08.png", "RGB"),    # grey, expanded
    ("basi2c08.png", "RGB"),    # interlaced
    ("synthetic_lossless.webp", "RGB"),
])
def test_load_equals_pillow(name, mode):
    image = kmquant.load(TEST_DATA / name)
    assert image.dtype == np.uint8 and image.shape[2] == len(mode)
    assert np.array_equal(image, pillow(TEST_DATA / name, mode))


def test_load_hands_over_its_buffer():
    image = kmquant.load(SAMPLE)
    assert image.shape == (512, 768, 3) and image.flags.c_contiguous and image.flags.writeable
    assert not image.flags.owndata  # the decoder's own buffer, kept alive by the array


def test_save_an_array_as_truecolour_png(tmp_path):
    rng = np.random.default_rng(1)
    for channels, mode in ((3, "RGB"), (4, "RGBA")):
        image = rng.integers(0, 256, (7, 9, channels), dtype=np.uint8)
        path = tmp_path / f"{mode}.png"
        kmquant.save(path, image)
        with Image.open(path) as written:
            assert written.mode == mode
            assert np.array_equal(np.asarray(written), image)


def test_save_a_result_as_indexed_png(tmp_path):
    r = kmquant.quantize(kmquant.load(SAMPLE), 8)
    path = tmp_path / "k8.png"
    (tmp_path / "k8.png").write_bytes(b"old")  # replaced
    kmquant.save(str(path), r)
    with Image.open(path) as written:
        assert written.mode == "P"
        assert np.array_equal(np.asarray(written), r.labels)
        assert np.array_equal(np.asarray(written.convert("RGB")), r.image)


def test_save_refuses_other_objects(tmp_path):
    with pytest.raises(TypeError, match="uint8"):
        kmquant.save(tmp_path / "x.png", "not an image")
    assert not (tmp_path / "x.png").exists()


def png_declaring(width, height):
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"")
            + chunk(b"IEND", b""))


def test_limits(tmp_path):
    path = tmp_path / "huge.png"
    path.write_bytes(png_declaring(100_000, 100_000))
    with pytest.raises(kmquant.LimitError, match="huge.png"):
        kmquant.load(path)
    # An array is held to the same limits; a broadcast view is huge without any memory.
    wide = np.broadcast_to(np.zeros((1, 1, 3), np.uint8), (1, 2 ** 20 + 1, 3))
    with pytest.raises(kmquant.LimitError, match="exceeds the limits"):
        kmquant.quantize(wide, 2)
