"""The module and the kmquant binary give the same results: for the same input, k and seed,
the same palette, labels, MSE, PNG bytes and table; and the same error messages."""
import json

import numpy as np
import pytest
from PIL import Image

import kmquant
from conftest import SAMPLE, TEST_DATA


def cli_compress(cli, image, k, seed, out):
    run = cli("compress", image, "-k", k, "--seed", seed, "-o", out, "--json")
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)["results"][0]


def pillow_indexed(path):
    """Palette (n, 3) and indices (H, W) of an indexed PNG, as Pillow decodes it."""
    with Image.open(path) as image:
        assert image.mode == "P"
        indices = np.asarray(image)
        palette = np.array(image.getpalette(), np.uint8).reshape(-1, 3)
    return palette, indices


@pytest.mark.parametrize("image, k, seed", [
    (SAMPLE, 16, 0),
    (SAMPLE, 5, 7),
    (TEST_DATA / "basn6a08.png", 12, 1),  # RGBA: both quantize it with its transparency
    (TEST_DATA / "synthetic_progressive.jpg", 32, 3),
])
def test_same_palette_labels_mse_and_png_as_the_cli(cli, tmp_path, image, k, seed):
    row = cli_compress(cli, image, k, seed, tmp_path / "cli.png")
    r = kmquant.quantize(kmquant.load(image), k, seed=seed)

    if r.palette.shape[1] == 4:  # the PNG puts translucent entries first (a shorter tRNS)
        with Image.open(tmp_path / "cli.png") as written:
            assert np.array_equal(np.asarray(written.convert("RGBA")), r.image)
    else:
        palette, indices = pillow_indexed(tmp_path / "cli.png")
        assert np.array_equal(indices, r.labels)
        assert np.array_equal(palette[:r.colors], r.palette)
    assert row["mse"] == r.mse and row["colors"] == r.colors
    assert (row["iterations"], row["converged"]) == (r.iterations, r.converged)

    kmquant.save(tmp_path / "module.png", r)
    assert (tmp_path / "module.png").read_bytes() == (tmp_path / "cli.png").read_bytes()


def without_timing(report):
    del report["quantize_seconds"]
    for row in report["results"]:
        del row["seconds"], row["file"]
    return report


def test_sweep_table_equals_the_clis(cli, tmp_path):
    run = cli("sweep", SAMPLE, "-k", "2,8,8,3", "--seed", "4", "-o", tmp_path, "--json")
    assert run.returncode == 0, run.stderr
    table = kmquant.sweep(str(SAMPLE), ks=(2, 8, 8, 3), seed=4)
    assert [r.k for r in table] == [2, 8, 3]
    assert without_timing(json.loads(table.to_json())) == without_timing(json.loads(run.stdout))
    # The text table too, but for the seconds column.
    cli_lines = (tmp_path / "results.csv").read_text().splitlines()
    module_lines = table.to_csv().splitlines()
    assert cli_lines[0] == module_lines[0]
    for cli_line, module_line in zip(cli_lines[1:], module_lines[1:]):
        assert cli_line.split(",")[:10] == module_line.split(",")[:10]


def cli_error(cli, *args):
    run = cli(*args)
    assert run.returncode != 0
    assert run.stderr.startswith("kmquant: ")
    return run.stderr.strip().splitlines()[-1].removeprefix("kmquant: ")


@pytest.mark.parametrize("content", [None, b"", b"not an image at all", b"\x89PNG\r\n\x1a\n"])
def test_input_errors_have_the_clis_message(cli, tmp_path, content):
    path = tmp_path / "bad.png"
    if content is not None:
        path.write_bytes(content)
    expected = cli_error(cli, "sweep", path, "-o", tmp_path / "out")
    assert str(path) in expected
    with pytest.raises(kmquant.InputError) as load_error:
        kmquant.load(path)
    assert str(load_error.value) == expected
    with pytest.raises(kmquant.InputError) as sweep_error:
        kmquant.sweep(path)
    assert str(sweep_error.value) == expected


def test_k_errors_have_the_clis_message(cli, tmp_path):
    expected = cli_error(cli, "compress", SAMPLE, "-k", "0", "-o", tmp_path / "x.png")
    with pytest.raises(kmquant.InvalidArgumentError) as caught:
        kmquant.quantize(np.zeros((2, 2, 3), np.uint8), 0)
    assert str(caught.value) == expected
    expected = cli_error(cli, "sweep", SAMPLE, "-k", "4,300", "-o", tmp_path)
    with pytest.raises(kmquant.InvalidArgumentError) as caught:
        kmquant.sweep(SAMPLE, ks=(4, 300))
    assert str(caught.value) == expected


def test_output_errors_have_the_clis_message(cli, tmp_path):
    target = tmp_path / "missing-folder" / "x.png"
    expected = cli_error(cli, "compress", SAMPLE, "-k", "2", "-o", target)
    r = kmquant.quantize(np.zeros((2, 2, 3), np.uint8), 2)
    with pytest.raises(kmquant.OutputError) as caught:
        kmquant.save(target, r)
    assert str(caught.value) == expected
