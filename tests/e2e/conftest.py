"""Shared fixtures of the end-to-end tests: the built binary and the images to run it on."""
import os
import pathlib
import subprocess

import pytest

REPO = pathlib.Path(os.environ.get("KMQUANT_REPO", pathlib.Path(__file__).resolve().parents[2]))
SAMPLE = REPO / "data" / "kodim23.png"
TEST_DATA = REPO / "tests" / "data"
SHARED_IMAGES = REPO.parent / "shared" / "images"


@pytest.fixture(scope="session")
def kmquant_bin():
    path = os.environ.get("KMQUANT_BIN")
    if not path or not pathlib.Path(path).is_file():
        pytest.fail("KMQUANT_BIN must name the built kmquant binary (ctest sets it)")
    return path


@pytest.fixture
def run(kmquant_bin):
    """Run kmquant with arguments; returns the CompletedProcess (text mode)."""

    def _run(*args, cwd=None, check=False):
        result = subprocess.run([kmquant_bin, *map(str, args)], cwd=cwd, capture_output=True,
                                text=True, timeout=600)
        if check and result.returncode != 0:
            raise AssertionError(f"kmquant {' '.join(map(str, args))} failed "
                                 f"({result.returncode}): {result.stderr}")
        return result

    return _run


def shared_image(relative):
    path = SHARED_IMAGES / relative
    if not path.is_file():
        pytest.skip(f"{path} is not here (../shared is only beside the project's own clones)")
    return path
