"""kmquant sweep --html: report.html parsed with Python's html.parser and checked against
results.json and grid.png, then rendered by headless Chromium (Debian: chromium; skipped
without it), whose screenshot is kept with the test artifacts."""
import base64
import json
import os
import pathlib
import shutil
import subprocess
from html.parser import HTMLParser

import numpy as np
import pytest
from PIL import Image

from conftest import SAMPLE, TEST_DATA

POINT_COLOUR = (0xD6, 0x27, 0x28)  # the plots' point fill, #d62728


class Page(HTMLParser):
    """The parts of the report the tests look at."""

    def __init__(self, text):
        super().__init__()
        self.tags = []          # (tag, attributes) in document order
        self.svg = None         # id of the <svg> being read
        self.circles = {}       # svg id -> [circle attributes]
        self.rows = []          # table body rows: lists of cell texts
        self.cell = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag == "svg":
            self.svg = attrs["id"]
            self.circles[self.svg] = []
        elif tag == "circle":
            self.circles[self.svg].append(attrs)
        elif tag == "tr" and "data-k" in attrs:
            self.rows.append([])
        elif tag == "td":
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "svg":
            self.svg = None
        elif tag == "td":
            self.rows[-1].append(self.cell)
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def sweep_with_report(run, image, ks, out):
    run("sweep", image, "-k", ks, "-o", out, "--html", check=True)
    text = (out / "report.html").read_text(encoding="utf-8")
    return text, Page(text), json.loads((out / "results.json").read_text())


def test_the_report_shows_the_figure_the_table_and_the_plots(run, tmp_path):
    text, page, report = sweep_with_report(run, SAMPLE, "2,4,8,16,32", tmp_path)
    rows = report["results"]

    # The figure: grid.png itself, embedded.
    images = [attrs for tag, attrs in page.tags if tag == "img"]
    assert len(images) == 1
    prefix = "data:image/png;base64,"
    assert images[0]["src"].startswith(prefix)
    assert base64.b64decode(images[0]["src"][len(prefix):]) == (tmp_path / "grid.png").read_bytes()

    # The table: one row per k, numbers as in results.json, each k linking its PNG.
    assert len(page.rows) == len(rows)
    for cells, row in zip(page.rows, rows):
        assert cells[0] == str(row["k"]) and cells[5] == f"{row['png_bytes']:,}"
        assert cells[8] == f"{row['mse']:.3f}" and cells[9] == f"{row['psnr']:.2f}"
    links = [attrs["href"] for tag, attrs in page.tags if tag == "a"]
    assert links == [f"k{row['k']}.png" for row in rows]

    # The plots: one point per k, placed by its numbers (SVG y grows downwards).
    for plot, rate in (("rd-bits", "bits_per_pixel"), ("rd-bytes", "png_bytes")):
        circles = page.circles[plot]
        assert [int(c["data-k"]) for c in circles] == [row["k"] for row in rows]
        xs = [float(c["cx"]) for c in circles]
        ys = [float(c["cy"]) for c in circles]
        assert np.all(np.diff(xs) > 0) and np.all(np.diff(ys) < 0), plot
        # Linear axes: equal steps in the data are equal steps on the page.
        slope = np.polyfit([row[rate] for row in rows], xs, 1)
        assert np.allclose(np.polyval(slope, [row[rate] for row in rows]), xs, atol=0.15)
        slope = np.polyfit([row["psnr"] for row in rows], ys, 1)
        assert np.allclose(np.polyval(slope, [row["psnr"] for row in rows]), ys, atol=0.15)

    # Self-contained: nothing to fetch, nothing to run.
    assert not any(tag in ("script", "link", "iframe") for tag, _ in page.tags)
    outside_the_figure = text.replace(images[0]["src"], "")
    for address in ("http:", "https:", "//", "url("):
        assert address not in outside_the_figure


def test_lossless_rows_are_listed_but_not_plotted(run, tmp_path):
    _, page, report = sweep_with_report(run, TEST_DATA / "basn3p02.png", "2,4,8", tmp_path)
    assert [r["lossless"] for r in report["results"]] == [False, True, True]
    assert len(page.rows) == 3 and page.rows[1][9] == "inf"
    assert [c["data-k"] for c in page.circles["rd-bits"]] == ["2"]


def test_names_are_escaped(run, tmp_path):
    image = tmp_path / "<b>&'odd\".png"
    shutil.copy(TEST_DATA / "basn0g08.png", image)
    text, page, _ = sweep_with_report(run, image, "2", tmp_path / "out")
    assert "<b>" not in text and "&lt;b&gt;&amp;&#39;odd&quot;.png" in text
    assert not any(tag == "b" for tag, _ in page.tags)


def chromium(*args, cwd):
    browser = shutil.which("chromium")
    if browser is None:
        pytest.skip("chromium is not installed (Debian: apt install chromium)")
    # Root (as in CI) needs --no-sandbox; a profile of its own keeps ~/.config untouched.
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               "--no-first-run", f"--user-data-dir={cwd / 'profile'}", *args]
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_chromium_renders_the_page_and_its_plots(run, tmp_path):
    out = tmp_path / "out"
    sweep_with_report(run, SAMPLE, "2,4,8,16,32", out)
    url = (out / "report.html").as_uri()

    dom = chromium("--dump-dom", url, cwd=tmp_path)
    rendered = Page(dom)
    assert len(rendered.rows) == 5
    assert {plot: len(c) for plot, c in rendered.circles.items()} == {"rd-bits": 5, "rd-bytes": 5}

    artifacts = pathlib.Path(os.environ.get("KMQUANT_ARTIFACTS", tmp_path))
    artifacts.mkdir(parents=True, exist_ok=True)
    screenshot = artifacts / "report-chromium.png"
    screenshot.unlink(missing_ok=True)
    chromium("--window-size=1280,1800", f"--screenshot={screenshot}", url, cwd=tmp_path)
    with Image.open(screenshot) as image:
        assert image.size == (1280, 1800)
        pixels = np.asarray(image.convert("RGB"))
    # The photos of the figure were drawn: a page of text and lines has few colours.
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 5000
    # The plots were drawn: ten points of 5 px radius in their own colour, below the figure.
    point_pixels = np.argwhere(np.all(pixels == POINT_COLOUR, axis=2))
    assert len(point_pixels) > 10 * 40, len(point_pixels)
    assert point_pixels[:, 0].min() > 700  # rows: under the figure and the table
