"""Shared fixtures of the Python module's tests: the module (from the build tree, found through
PYTHONPATH as ctest sets it, or an installed package: KMQUANT_PACKAGE_DIR then names the folder
it must come from), the kmquant binary and the images."""
import os
import pathlib
import subprocess

import numpy as np
import pytest
from PIL import Image

import kmquant

if os.environ.get("KMQUANT_PACKAGE_DIR"):
    # Testing an installed package: make sure it is the one imported, not a build tree's.
    expected = pathlib.Path(os.environ["KMQUANT_PACKAGE_DIR"]).resolve()
    imported = pathlib.Path(kmquant.__file__).resolve().parent
    if imported != expected:
        raise RuntimeError(f"kmquant was imported from {imported}, not from {expected}")

REPO = pathlib.Path(os.environ.get("KMQUANT_REPO", pathlib.Path(__file__).resolve().parents[2]))
SAMPLE = REPO / "data" / "kodim23.png"
TEST_DATA = REPO / "tests" / "data"
KODAK = REPO.parent / "shared" / "images" / "kodak"


@pytest.fixture(scope="session")
def kmquant_bin():
    path = os.environ.get("KMQUANT_BIN")
    if not path or not pathlib.Path(path).is_file():
        pytest.fail("KMQUANT_BIN must name the built kmquant binary (ctest sets it)")
    return path


@pytest.fixture
def cli(kmquant_bin):
    """Run the kmquant binary; returns the CompletedProcess (text mode)."""

    def _run(*args):
        return subprocess.run([kmquant_bin, *map(str, args)], capture_output=True, text=True,
                              timeout=600)

    return _run


@pytest.fixture(scope="session")
def artifacts():
    """A folder in the build tree for what a test leaves to look at (ctest sets it)."""
    path = pathlib.Path(os.environ.get("KMQUANT_ARTIFACTS", "test-artifacts"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def pillow_rgb(path):
    """A file as Pillow decodes it: uint8 (H, W, 3), transparency composited on white with
    kmquant's rounding — the independent view of what kmquant quantizes."""
    with Image.open(path) as image:
        rgba = np.asarray(image.convert("RGBA"), dtype=np.int64)
    alpha = rgba[..., 3:4]
    return ((rgba[..., :3] * alpha + 255 * (255 - alpha) + 127) // 255).astype(np.uint8)


def kodak_images(count):
    """The first `count` Kodak images, or a skip where ../shared is not beside the clone."""
    paths = sorted(KODAK.glob("kodim*.png"))[:count]
    if len(paths) < count:
        pytest.skip(f"{KODAK} is not here (../shared is only beside the project's own clones)")
    return paths
