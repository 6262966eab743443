"""kmquant compress with standard input and output."""
import io
import json
import os
import pty
import subprocess

import numpy as np
import pytest
from PIL import Image

from conftest import SAMPLE, TEST_DATA
from oracle import expected_input_rgb


def run_piped(kmquant_bin, *args, stdin=b""):
    return subprocess.run([kmquant_bin, *map(str, args)], input=stdin, capture_output=True,
                          timeout=600)


def test_stdin_to_stdout_round_trip(kmquant_bin, tmp_path):
    piped = run_piped(kmquant_bin, "compress", "-", "-k", "8", "-o", "-",
                      stdin=SAMPLE.read_bytes())
    assert piped.returncode == 0, piped.stderr
    # stdout holds the PNG alone; the summary went to stderr.
    assert piped.stdout[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"stdin" in piped.stderr and b"k = 8" in piped.stderr
    # The same bytes as compressing the file itself.
    subprocess.run([kmquant_bin, "compress", SAMPLE, "-k", "8", "-o", tmp_path / "f.png"],
                   check=True, capture_output=True)
    assert piped.stdout == (tmp_path / "f.png").read_bytes()
    with Image.open(io.BytesIO(piped.stdout)) as image:
        assert image.mode == "P" and image.size == (768, 512)


def test_stdin_to_a_file_and_json_on_stdout(kmquant_bin, tmp_path):
    piped = run_piped(kmquant_bin, "compress", "-", "-k", "4", "-o", tmp_path / "o.png",
                      "--json", stdin=(TEST_DATA / "synthetic_baseline.jpg").read_bytes())
    assert piped.returncode == 0, piped.stderr
    table = json.loads(piped.stdout)
    assert table["input"] == "stdin"
    with Image.open(tmp_path / "o.png") as image:
        assert image.size == (64, 48)
        pixels = np.asarray(image.convert("RGB"), dtype=np.int64)
    original = expected_input_rgb(TEST_DATA / "synthetic_baseline.jpg")
    assert table["results"][0]["mse"] == pytest.approx(((pixels - original) ** 2).mean())
    subprocess.run([kmquant_bin, "compress", TEST_DATA / "synthetic_baseline.jpg", "-k", "4",
                    "-o", tmp_path / "f.png"], check=True, capture_output=True)
    assert (tmp_path / "f.png").read_bytes() == (tmp_path / "o.png").read_bytes()


def test_a_file_to_stdout_reports_on_stderr(kmquant_bin):
    piped = run_piped(kmquant_bin, "compress", TEST_DATA / "synthetic_rgb.png", "-k", "2",
                      "-o", "-", "--json")
    assert piped.returncode == 0
    assert piped.stdout.startswith(b"\x89PNG") and b'"results"' in piped.stderr


def test_bad_stdin_fails_naming_stdin(kmquant_bin, tmp_path):
    piped = run_piped(kmquant_bin, "compress", "-", "-k", "4", "-o", tmp_path / "o.png",
                      stdin=b"not an image at all")
    assert piped.returncode == 3 and b"stdin" in piped.stderr
    assert list(tmp_path.iterdir()) == []
    empty = run_piped(kmquant_bin, "compress", "-", "-k", "4", "-o", "-")
    assert empty.returncode == 3 and empty.stdout == b""


def test_stdin_needs_an_output(kmquant_bin, tmp_path):
    piped = run_piped(kmquant_bin, "compress", "-", "-k", "4", stdin=SAMPLE.read_bytes())
    assert piped.returncode == 2 and b"-o" in piped.stderr


def test_stdout_on_a_terminal_is_refused(kmquant_bin, tmp_path):
    controller, terminal = pty.openpty()
    try:
        result = subprocess.run([kmquant_bin, "compress", SAMPLE, "-k", "4", "-o", "-"],
                                stdout=terminal, stderr=subprocess.PIPE, timeout=60, cwd=tmp_path)
    finally:
        os.close(terminal)
        os.close(controller)
    assert result.returncode == 2 and b"terminal" in result.stderr
    assert list(tmp_path.iterdir()) == []
