"""bench/peers.py, the comparison with other quantizers, runs end to end on a small image and
its numbers are the ones recomputed here independently. A smoke test (a few seconds), not a
benchmark: no timing is checked."""
import importlib.util
import json
import os
import subprocess

import numpy as np
import pytest
from PIL import Image

from conftest import REPO, TEST_DATA
from oracle import rgb_pixels

PEERS = REPO / "bench" / "peers.py"
IMAGE = TEST_DATA / "synthetic_rgb.png"


def run_peers(kmquant, tmp_path, *args):
    return subprocess.run(["/usr/bin/python3", PEERS, "--kmquant", kmquant,
                           "--json", tmp_path / "raw.json", *map(str, args)],
                          capture_output=True, text=True, timeout=300)


def records(tmp_path):
    raw = json.loads((tmp_path / "raw.json").read_text())
    return {(r["tool"], r["k"]): r for r in raw["records"]}


def mse(a, b):
    return float(np.mean((a.astype(np.int64) - b.astype(np.int64)) ** 2))


def test_compare_mode_recomputes_every_error(kmquant_bin, run, tmp_path):
    result = run_peers(kmquant_bin, tmp_path, "--tools", "kmquant,pillow-mediancut",
                       "--ks", "2,4", IMAGE)
    assert result.returncode == 0, result.stderr
    assert "### k = 2" in result.stdout and "### k = 4" in result.stdout
    assert "| pillow-mediancut | 1/1 |" in result.stdout
    found = records(tmp_path)
    original = rgb_pixels(IMAGE)
    for k in (2, 4):
        # kmquant's error: its own output, decoded here by Pillow.
        out = tmp_path / f"k{k}.png"
        run("compress", IMAGE, "-k", k, "-o", out, check=True)
        ours = found[("kmquant", k)]
        assert ours["ok"] and ours["colors"] <= k
        assert ours["mse"] == pytest.approx(mse(rgb_pixels(out), original), rel=1e-12)
        # Pillow's median cut, run here the same way.
        with Image.open(IMAGE) as image:
            quantized = image.convert("RGB").quantize(k, Image.Quantize.MEDIANCUT,
                                                      dither=Image.Dither.NONE)
        median_cut = np.asarray(quantized.convert("RGB"), dtype=np.int64)
        assert found[("pillow-mediancut", k)]["mse"] == pytest.approx(mse(median_cut, original),
                                                                      rel=1e-12)


def test_a_failing_tool_is_recorded_not_fatal(tmp_path):
    # /bin/false stands in for a kmquant that exits non-zero without writing anything.
    result = run_peers("/bin/false", tmp_path, "--tools", "kmquant,pillow-mediancut",
                       "--ks", "4", IMAGE)
    assert result.returncode == 1, result.stderr
    assert "| kmquant | 0/1 |" in result.stdout and "| pillow-mediancut | 1/1 |" in result.stdout
    assert "false exited with 1" in result.stdout
    assert not records(tmp_path)[("kmquant", 4)]["ok"]


def test_sweep_mode(kmquant_bin, tmp_path):
    if importlib.util.find_spec("sklearn") is None:
        pytest.skip("scikit-learn (python3-sklearn) is not installed")
    result = run_peers(kmquant_bin, tmp_path, "--sweep", "--ks", "2,8", IMAGE)
    assert result.returncode == 0, result.stderr
    row = json.loads((tmp_path / "raw.json").read_text())["per_image"][0]
    assert row["ok"], row["error"]
    # The wall time of the whole k-means phase, which the ks share side by side, and the sum
    # of the ks' own times beside it.
    assert row["kmquant_per_k_sum"] == pytest.approx(
        sum(v["kmquant_seconds"] for v in row["per_k"].values()))
    assert 0 < row["kmquant_kmeans_seconds"] < row["sweep_wall_seconds"]
    assert row["ratio"] == pytest.approx(row["sklearn_seconds"] / row["kmquant_kmeans_seconds"])
    if os.access("/usr/bin/time", os.X_OK):
        # The peak of the kmquant process alone, as GNU time gives it for the same sweep run
        # here: not the size of the Python process it was forked from (numpy and Pillow alone
        # are 40 MB or more, a plain build's sweep of this image under 20 MB).
        direct = subprocess.run(["/usr/bin/time", "-f", "%M", kmquant_bin, "sweep", IMAGE, "-k",
                                 "2,8", "-o", tmp_path / "direct", "--json", "--seed", "0"],
                                capture_output=True, text=True, check=True)
        peak_mb = int(direct.stderr.strip().splitlines()[-1]) / 1024
        assert row["peak_rss_mb"] == pytest.approx(peak_mb, rel=0.25), (row["peak_rss_mb"],
                                                                         peak_mb)
    assert "Median ratio" in result.stdout


def test_reuse_takes_the_peers_records_of_an_earlier_run(kmquant_bin, tmp_path):
    earlier = tmp_path / "earlier"
    earlier.mkdir()
    image = tmp_path / "input.png"
    image.write_bytes(IMAGE.read_bytes())
    first = run_peers(kmquant_bin, earlier, "--tools", "kmquant,pillow-mediancut", "--ks", "4",
                      image)
    assert first.returncode == 0, first.stderr
    # A planted MSE shows whether the record was taken or the tool run again.
    raw = json.loads((earlier / "raw.json").read_text())
    for record in raw["records"]:
        if record["tool"] == "pillow-mediancut":
            record["mse"] = 12345.0
    (earlier / "raw.json").write_text(json.dumps(raw))

    again = run_peers(kmquant_bin, tmp_path, "--tools", "kmquant,pillow-mediancut", "--ks", "4",
                      "--reuse", earlier / "raw.json", image)
    assert again.returncode == 0, again.stderr
    assert "1 of 2 records" in again.stdout
    assert records(tmp_path)[("pillow-mediancut", 4)]["mse"] == 12345.0
    assert "k=4 kmquant:" in again.stderr  # kmquant itself always runs
    assert "pillow-mediancut:" not in again.stderr

    # Another seed, or another image under the same name: the peer runs again.
    other_seed = run_peers(kmquant_bin, tmp_path, "--tools", "pillow-mediancut", "--ks", "4",
                           "--seed", "1", "--reuse", earlier / "raw.json", image)
    assert other_seed.returncode == 0, other_seed.stderr
    assert records(tmp_path)[("pillow-mediancut", 4)]["mse"] != 12345.0
    with Image.open(IMAGE) as original:
        original.convert("RGB").transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(image)
    changed = run_peers(kmquant_bin, tmp_path, "--tools", "pillow-mediancut", "--ks", "4",
                        "--reuse", earlier / "raw.json", image)
    assert changed.returncode == 0, changed.stderr
    assert records(tmp_path)[("pillow-mediancut", 4)]["mse"] != 12345.0
    assert "Reused" not in changed.stdout
