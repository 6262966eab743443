"""kmquant.quantize on NumPy arrays: results checked with numpy, memory sharing, the GIL,
and the errors for wrong input."""
import gc
import math
import sys
import threading
import time

import numpy as np
import pytest

import kmquant
from conftest import SAMPLE, TEST_DATA, pillow_rgb


@pytest.fixture(scope="module")
def sample():
    return pillow_rgb(SAMPLE)


def numpy_mse(a, b):
    return float(np.mean((a.astype(np.int64) - b.astype(np.int64)) ** 2))


def test_result_arrays_and_numbers(sample):
    r = kmquant.quantize(sample, 16, seed=3)
    h, w, _ = sample.shape
    assert (r.k, r.width, r.height) == (16, w, h)
    assert r.labels.shape == (h, w) and r.labels.dtype == np.uint8
    assert r.palette.shape == (16, 3) and r.palette.dtype == np.uint8
    assert r.image.shape == (h, w, 3) and r.image.dtype == np.uint8
    assert r.colors == 16 and len(np.unique(r.palette, axis=0)) == 16
    assert np.array_equal(r.image, r.palette[r.labels])
    assert r.mse == pytest.approx(numpy_mse(r.image, sample), rel=1e-12)
    assert r.psnr == pytest.approx(10 * math.log10(255 ** 2 / r.mse), rel=1e-12)
    n = w * h
    assert r.bits_per_pixel == 4
    assert r.estimated_bytes == math.ceil((n * 4 + 24 * 16) / 8)
    assert r.estimated_ratio == pytest.approx(24 * n / (n * 4 + 24 * 16))
    assert r.converged and r.iterations >= 1 and not r.lossless and r.seconds >= 0
    assert "k=16" in repr(r)


def test_same_seed_same_result_other_seed_may_differ(sample):
    a, b = kmquant.quantize(sample, 8, seed=5), kmquant.quantize(sample, 8, seed=5)
    assert np.array_equal(a.palette, b.palette) and np.array_equal(a.labels, b.labels)
    assert a.mse == b.mse


def test_options_are_the_fields_of_options():
    defaults = kmquant.Options()
    assert (defaults.seed, defaults.max_iterations) == (0, 1000)
    image = np.random.default_rng(0).integers(0, 256, (20, 30, 3), dtype=np.uint8)
    # The keyword reaches the core: capping Lloyd changes the result (what iterations and
    # converged count is the core's business, and it is being reworked).
    capped = kmquant.quantize(image, 8, max_iterations=1)
    full = kmquant.quantize(image, 8)
    assert (capped.mse, capped.iterations) != (full.mse, full.iterations)


def test_few_colours_are_kept_exactly():
    image = np.zeros((4, 5, 3), np.uint8)
    image[1:, 2:] = (200, 10, 30)
    r = kmquant.quantize(image, 8)
    assert r.lossless and r.colors == 2 and r.mse == 0 and math.isinf(r.psnr)
    assert np.array_equal(r.image, image)


def test_labels_and_palette_share_the_results_memory(sample):
    r = kmquant.quantize(sample, 4)
    for view in (r.labels, r.palette):
        assert not view.flags.owndata and not view.flags.writeable
        assert view.flags.c_contiguous
    # Two accesses give views of one buffer, the result's own: nothing was copied.
    first, second = r.labels, r.labels
    assert first is not second and np.shares_memory(first, second)
    with pytest.raises(ValueError):
        r.labels[0, 0] = 1


def test_views_keep_the_result_alive(sample):
    r = kmquant.quantize(sample, 4)
    labels, palette, expected = r.labels, r.palette, r.image.copy()
    del r
    gc.collect()
    assert np.array_equal(palette[labels], expected)


def test_image_owns_new_memory(sample):
    r = kmquant.quantize(sample, 4)
    image = r.image
    assert image.flags.writeable and not np.shares_memory(image, r.labels)
    image[0, 0] = 0  # a fresh array: writing to it leaves the result alone
    assert np.array_equal(r.image[0, 0], r.palette[r.labels[0, 0]])


def test_rgba_is_quantized_with_its_transparency():
    from PIL import Image
    with Image.open(TEST_DATA / "basn6a08.png") as image:
        rgba = np.asarray(image.convert("RGBA"))
    r = kmquant.quantize(rgba, 16, seed=2)
    assert r.image.shape == rgba.shape and r.palette.shape == (r.colors, 4)
    assert np.array_equal(r.image, r.palette[r.labels])
    # mse recomputed from the definition: premultiplied values, 4 channels.
    def premultiplied(pixels):
        pixels = pixels.astype(np.float64)
        return np.concatenate([pixels[..., :3] * pixels[..., 3:] / 255, pixels[..., 3:]], axis=-1)
    expected = np.mean((premultiplied(r.image) - premultiplied(rgba)) ** 2)
    assert r.mse == pytest.approx(expected, rel=1e-12)


def test_strided_and_fortran_arrays_give_the_same_result(sample):
    contiguous = kmquant.quantize(sample[::2, ::3], 8)
    for variant in (sample[::2, ::3], np.asfortranarray(sample[::2, ::3])):
        r = kmquant.quantize(variant, 8)
        assert np.array_equal(r.labels, contiguous.labels)
        assert np.array_equal(r.palette, contiguous.palette)


def test_the_input_array_is_not_modified(sample):
    before = sample.copy()
    kmquant.quantize(sample, 4)
    assert np.array_equal(sample, before)


def test_the_gil_is_released_while_quantizing(sample):
    """This thread runs while another is inside quantize: no clock involved. With a switch
    interval of minutes the interpreter never takes the GIL from a thread, so this thread can
    run before the worker ends only where the worker gives the GIL up; the worker holds it
    everywhere but inside quantize, so this thread then finds it there. Were the GIL held
    throughout, it would first run after the worker's last call."""
    state = {"inside": False, "seen": False}

    def work():
        for _ in range(50):
            if state["seen"]:
                return
            state["inside"] = True
            kmquant.quantize(sample, 32)
            state["inside"] = False

    interval = sys.getswitchinterval()
    sys.setswitchinterval(300)
    try:
        worker = threading.Thread(target=work)
        worker.start()
        while worker.is_alive() and not state["seen"]:
            state["seen"] = state["inside"]
            time.sleep(0.001)  # gives the GIL up, as the worker must too for this to run
        worker.join()
    finally:
        sys.setswitchinterval(interval)
    assert state["seen"], "this thread did not run while another was inside quantize"


def test_threads_quantize_concurrently_with_the_same_results(sample):
    expected = [kmquant.quantize(sample, k, seed=1) for k in (4, 8, 16)]
    results = {}
    threads = [threading.Thread(target=lambda k=k: results.__setitem__(
        k, kmquant.quantize(sample, k, seed=1))) for k in (4, 8, 16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for e in expected:
        assert np.array_equal(results[e.k].labels, e.labels) and results[e.k].mse == e.mse


# --- wrong input ------------------------------------------------------------------------

@pytest.mark.parametrize("image, error, words", [
    ([[[1, 2, 3]]], TypeError, "got list"),
    (np.zeros((4, 4, 3), np.float32), TypeError, "dtype float32"),
    (np.zeros((4, 4, 3), np.int8), TypeError, "dtype int8"),
    (np.zeros((4, 4, 3), np.uint16), TypeError, "dtype uint16"),
    (np.zeros((4, 4, 2), np.uint8), ValueError, "shape (4, 4, 2)"),
    (np.zeros((4, 4, 2), np.uint8), ValueError, "shape (4, 4, 2)"),
    (np.zeros((4, 4, 3, 1), np.uint8), ValueError, "shape (4, 4, 3, 1)"),
    (np.zeros((12,), np.uint8), ValueError, "shape (12,)"),
    (np.zeros((0, 4, 3), np.uint8), ValueError, "empty"),
])
def test_wrong_images_raise_clear_errors(image, error, words):
    with pytest.raises(error) as caught:
        kmquant.quantize(image, 4)
    message = str(caught.value)
    assert words in message
    if "shape" in words or "dtype" in words:
        assert "uint8" in message and "(H, W, 3) or (H, W, 4)" in message


@pytest.mark.parametrize("k", [0, 257, -1, 2 ** 40])
def test_k_out_of_range(k):
    image = np.zeros((2, 2, 3), np.uint8)
    with pytest.raises(kmquant.InvalidArgumentError,
                       match=f"^k = {k} is out of range: k must be 1 to 256$"):
        kmquant.quantize(image, k)
    with pytest.raises(ValueError):  # InvalidArgumentError is a ValueError too
        kmquant.quantize(image, k)


def test_wrong_options():
    image = np.zeros((2, 2, 3), np.uint8)
    with pytest.raises(TypeError, match="unexpected keyword argument 'seeed'"):
        kmquant.quantize(image, 2, seeed=1)
    with pytest.raises(TypeError, match="option seed = -1"):
        kmquant.quantize(image, 2, seed=-1)
    with pytest.raises(TypeError, match="option max_iterations = 'many'"):
        kmquant.quantize(image, 2, max_iterations="many")
    with pytest.raises(TypeError):
        kmquant.quantize(image, 2.5)


def test_errors_are_kmquant_errors():
    for name in ("InvalidArgumentError", "InputError", "OutputError", "LimitError"):
        cls = getattr(kmquant, name)
        assert issubclass(cls, kmquant.Error) and cls.__module__ == "kmquant"
