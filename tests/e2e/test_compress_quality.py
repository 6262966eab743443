"""kmquant compress --quality / --max-error / --max-colors, checked by recomputing PSNR."""
import json
import math
import pathlib
import shutil

import pytest

from conftest import SAMPLE, TEST_DATA
from oracle import count_colours, expected_input_rgb, rgb_pixels


def mse_of(output, source):
    return float(((rgb_pixels(output) - expected_input_rgb(source)) ** 2).mean())


def psnr_of(output, source):
    mse = mse_of(output, source)
    return math.inf if mse == 0 else 10 * math.log10(255 ** 2 / mse)


def chosen_k(result):
    return json.loads(result.stdout)["results"][0]["k"]


@pytest.mark.parametrize("target", ["30", "27-33.5"])
def test_quality_picks_the_fewest_colours_reaching_max(run, tmp_path, target):
    top = float(target.split("-")[-1])
    out = tmp_path / "q.png"
    result = run("compress", SAMPLE, "--quality", target, "-o", out, "--json", check=True)
    k = chosen_k(result)
    assert psnr_of(out, SAMPLE) >= top
    assert count_colours(rgb_pixels(out)) <= k
    # One colour fewer falls short: recomputed from the PNG -k (k - 1) writes.
    run("compress", SAMPLE, "-k", k - 1, "-o", tmp_path / "fewer.png", check=True)
    assert psnr_of(tmp_path / "fewer.png", SAMPLE) < top
    # The PNG is the one -k k writes.
    run("compress", SAMPLE, "-k", k, "-o", tmp_path / "same.png", check=True)
    assert (tmp_path / "same.png").read_bytes() == out.read_bytes()


def test_max_error_is_the_same_search_in_mse(run, tmp_path):
    out = tmp_path / "e.png"
    result = run("compress", SAMPLE, "--max-error", "40", "-o", out, "--json", check=True)
    k = chosen_k(result)
    assert mse_of(out, SAMPLE) <= 40
    run("compress", SAMPLE, "-k", k - 1, "-o", tmp_path / "fewer.png", check=True)
    assert mse_of(tmp_path / "fewer.png", SAMPLE) > 40


def test_max_error_0_asks_for_a_lossless_result(run, tmp_path):
    # basn2c16 has 1024 colours (not reachable); basn3p08 has 256 (lossless at k = 256).
    out = tmp_path / "l.png"
    result = run("compress", TEST_DATA / "basn3p08.png", "--max-error", "0", "-o", out, "--json",
                 check=True)
    assert mse_of(out, TEST_DATA / "basn3p08.png") == 0
    assert chosen_k(result) == count_colours(expected_input_rgb(TEST_DATA / "basn3p08.png"))
    result = run("compress", TEST_DATA / "basn2c16.png", "--max-error", "0", "-o", out, "-f")
    assert result.returncode == 6


def test_max_colors_is_used_when_max_is_out_of_reach_but_min_is_not(run, tmp_path):
    out = tmp_path / "q.png"
    result = run("compress", SAMPLE, "--quality", "20-60", "--max-colors", "12", "-o", out,
                 "--json", check=True)
    assert chosen_k(result) == 12
    assert 20 <= psnr_of(out, SAMPLE) < 60


def test_an_unreachable_minimum_writes_nothing_and_exits_6(run, tmp_path):
    result = run("compress", SAMPLE, "--quality", "45-50", "--max-colors", "16", "-o",
                 tmp_path / "q.png")
    assert result.returncode == 6, result.stderr
    line = result.stderr.strip()
    assert line.startswith("kmquant: ") and str(SAMPLE) in line and "45.00 dB" in line
    assert list(tmp_path.iterdir()) == []


def test_an_unreachable_file_in_a_batch_exits_6_and_the_others_are_written(run, tmp_path):
    # A 16-colour PngSuite image reaches any PSNR (lossless); the photo does not.
    shutil.copy(TEST_DATA / "basn3p02.png", tmp_path / "few.png")
    shutil.copy(SAMPLE, tmp_path / "photo.png")
    result = run("compress", tmp_path / "few.png", tmp_path / "photo.png", "--quality", "50",
                 "--max-colors", "64", "--out-dir", tmp_path / "out", "--palette-out",
                 tmp_path / "out" / "{stem}.json")
    assert result.returncode == 6, result.stderr
    assert "photo.png" in result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["few.json", "few.png"]
    assert math.isinf(psnr_of(tmp_path / "out" / "few.png", tmp_path / "few.png"))


def test_max_colors_caps_k(run, tmp_path):
    out = tmp_path / "c.png"
    run("compress", SAMPLE, "-k", "64", "--max-colors", "8", "-o", out, check=True)
    assert count_colours(rgb_pixels(out)) <= 8


@pytest.mark.parametrize("args", [
    ["--quality", "abc"], ["--quality", "40-30"], ["--quality", "30-"], ["--quality", "-5"],
    ["--max-error", "-1"], ["--quality", "30", "--max-error", "5"], ["--max-colors", "0"],
    ["--max-colors", "257", "--quality", "30"],
])
def test_bad_quality_settings_are_usage_errors(run, tmp_path, args):
    result = run("compress", SAMPLE, *args, "-o", tmp_path / "q.png")
    assert result.returncode == 2, (args, result.stderr)
    assert result.stderr.startswith("kmquant: ")
    assert list(tmp_path.iterdir()) == []
