"""kmquant.sweep: several k for one image, with the command line's table."""
import math

import numpy as np
import pytest

import kmquant
from conftest import SAMPLE, TEST_DATA, pillow_rgb


@pytest.fixture(scope="module")
def sample_sweep():
    return kmquant.sweep(SAMPLE, ks=(2, 4, 8))


def test_a_list_of_results_with_their_rows(sample_sweep, tmp_path):
    assert isinstance(sample_sweep, list) and [r.k for r in sample_sweep] == [2, 4, 8]
    pixels = pillow_rgb(SAMPLE)
    table = sample_sweep.table
    assert (table.input, table.width, table.height) == (str(SAMPLE), 768, 512)
    assert table.input_bytes == SAMPLE.stat().st_size
    packed = pixels[..., 0].astype(np.int64) << 16 | pixels[..., 1].astype(np.int64) << 8 \
        | pixels[..., 2]
    assert table.unique_colors == len(np.unique(packed))
    for result, row in zip(sample_sweep, sample_sweep.rows):
        single = kmquant.quantize(pixels, result.k)
        assert np.array_equal(result.labels, single.labels) and result.mse == single.mse
        assert (row.k, row.colors, row.mse, row.psnr) == (result.k, result.colors, result.mse,
                                                           result.psnr)
        assert row.estimated_ratio == result.estimated_ratio and row.file == ""
        # The table's PNG sizes are those of the files save writes, as `kmquant sweep` and
        # `kmquant compress` write the same bytes for the same indices.
        kmquant.save(tmp_path / "k.png", result)
        assert row.png_bytes == (tmp_path / "k.png").stat().st_size
        assert row.png_ratio_vs_input == pytest.approx(table.input_bytes / row.png_bytes)
        assert row.png_ratio_vs_raw == pytest.approx(3 * 768 * 512 / row.png_bytes)


def test_text_json_and_csv(sample_sweep):
    text = str(sample_sweep)
    assert text == sample_sweep.table.to_text()
    assert text.startswith(f"{SAMPLE}: 768×512, 393,216 pixels")
    assert len(sample_sweep.to_csv().splitlines()) == 4
    assert '"results"' in sample_sweep.to_json() and "\n" not in sample_sweep.to_json(-1).strip()


def test_to_pandas_has_the_csv_columns(sample_sweep):
    pandas = pytest.importorskip("pandas", reason="python3-pandas is not installed")
    frame = sample_sweep.to_pandas()
    assert isinstance(frame, pandas.DataFrame)
    assert sorted(frame.columns) == sorted(sample_sweep.to_csv().splitlines()[0].split(","))
    for (_, record), row in zip(frame.iterrows(), sample_sweep.rows):
        assert record["k"] == row.k and record["mse"] == row.mse
        assert record["png_bytes"] == row.png_bytes and record["psnr"] == row.psnr


def test_an_array_and_lossless_rows():
    image = np.zeros((3, 4, 4), np.uint8)
    image[..., 3] = 255
    image[0] = (10, 20, 30, 0)  # transparent: composited to white
    table = kmquant.sweep(image, ks=[1, 2, 4])
    assert table.table.input == "<array>" and table.table.input_bytes == 0
    assert [r.lossless for r in table] == [False, True, True]
    assert table.rows[0].png_ratio_vs_input == 0
    assert np.array_equal(table[1].image[0], np.full((4, 3), 255, np.uint8))
    records = table.to_records()
    assert math.isinf(records[1]["psnr"]) and records[0]["psnr"] == table[0].psnr


def test_an_rgba_file_is_composited_like_the_cli():
    path = TEST_DATA / "basn6a08.png"
    table = kmquant.sweep(path, ks=(6,), seed=2)
    single = kmquant.quantize(pillow_rgb(path), 6, seed=2)
    assert np.array_equal(table[0].labels, single.labels) and table[0].mse == single.mse


def test_wrong_ks_and_inputs():
    image = np.zeros((2, 2, 3), np.uint8)
    with pytest.raises(TypeError, match="sequence"):
        kmquant.sweep(image, ks=16)
    with pytest.raises(kmquant.InvalidArgumentError, match="no k values"):
        kmquant.sweep(image, ks=())
    with pytest.raises(TypeError, match="NumPy array or a path"):
        kmquant.sweep(42)
    with pytest.raises(TypeError, match="dtype float64"):
        kmquant.sweep(np.zeros((2, 2, 3)))
