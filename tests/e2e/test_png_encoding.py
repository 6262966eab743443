"""The PNG encoding seen from the command line: the sweep and compress write the same bytes for
the same indices, on any thread count, and --png-effort max changes bytes, never pixels."""
import numpy as np
from PIL import Image

from conftest import SAMPLE


def rgba(path):
    with Image.open(path) as image:
        return np.asarray(image.convert("RGBA"))


def test_sweep_and_compress_write_the_same_png(run, tmp_path):
    run("sweep", SAMPLE, "-k", "16", "-o", tmp_path / "s", check=True)
    for threads in ("1", "2"):
        out = tmp_path / f"c{threads}.png"
        run("compress", SAMPLE, "-k", "16", "--threads", threads, "-o", out, check=True)
        assert out.read_bytes() == (tmp_path / "s" / "k16.png").read_bytes()


def test_png_effort_max_is_smaller_with_the_same_pixels(run, tmp_path):
    normal = tmp_path / "normal.png"
    smallest = tmp_path / "max.png"
    run("compress", SAMPLE, "-k", "8", "-o", normal, check=True)
    run("compress", SAMPLE, "-k", "8", "--png-effort", "max", "-o", smallest, check=True)
    assert smallest.stat().st_size < normal.stat().st_size
    assert np.array_equal(rgba(smallest), rgba(normal))
    result = run("compress", SAMPLE, "-k", "8", "--png-effort", "most", "-o", tmp_path / "x.png")
    assert result.returncode != 0 and not (tmp_path / "x.png").exists()
