"""The quantizers peers.py compares, each run the way its users run it, and timed.

Every tool gets the same Job and returns a Run: its wall time and the RGB image it produced.
What the time covers differs by kind, and the report says so:
- programs (kmquant, pngquant, ImageMagick): the whole process — decode, quantize, encode,
  write — as a user waits for it;
- Python libraries (scikit-learn, OpenCV, Pillow): the quantizing calls only, on pixels already
  decoded, so they are never charged for our decoding or encoding.
"""
import json
import os
import subprocess
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
from PIL import Image

# Random seed of every randomised start (scikit-learn, OpenCV, kmquant), fixed so a run repeats.
DEFAULT_SEED = 0

# OpenCV stops after 300 iterations (scikit-learn's max_iter) or once no centre moves by more
# than 0.1 of an 8-bit level — a stricter stop than scikit-learn's tol, so OpenCV's error is
# never inflated by stopping early; cv2.kmeans compares the squared shift with eps².
OPENCV_MAX_ITER = 300
OPENCV_EPS = 0.1


class ToolFailed(Exception):
    """A tool ran but gave no usable image (non-zero exit, missing output); the reason says why."""


@dataclass
class Job:
    """One tool, one image, one k."""
    path: Path                # the input file, as the programs read it
    png_path: Path            # the same image as a PNG (the input itself when it is one)
    original: np.ndarray      # (H, W, 3) uint8: the input decoded by Pillow
    k: int
    out_dir: Path             # scratch folder for the tool's output file
    kmquant: Path             # the kmquant binary
    seed: int = DEFAULT_SEED


@dataclass
class Run:
    seconds: float
    rgb: np.ndarray                            # (H, W, 3) uint8: what the tool produced
    extra: dict = field(default_factory=dict)  # peak memory, numbers the tool reported itself


@dataclass(frozen=True)
class Tool:
    name: str
    description: str    # the exact call, for the report's legend
    needs: str          # key into peers.REQUIREMENTS
    whole_process: bool  # True: the time is the whole process; False: the library call only
    run: Callable[[Job], Run]


# --- running programs --------------------------------------------------------------------

@dataclass
class ProcessResult:
    seconds: float
    returncode: int
    stdout: str
    stderr: str
    peak_rss_mb: float


GNU_TIME = "/usr/bin/time"


def run_process(command, peak_through_gnu_time=False):
    """Run a program to its end; wall time and that child's own peak memory (os.wait4 reports
    the rusage of exactly this child, unlike RUSAGE_CHILDREN's maximum over all of them).

    A child forked from this process counts this process's pages as its own until it execs, so
    once numpy or scikit-learn are loaded wait4's peak is at least this interpreter's size (193
    MB with scikit-learn, for a kmquant sweep of 28 MB). With peak_through_gnu_time (and GNU
    time installed: Debian's package time) the program is started by /usr/bin/time, a small
    process whose child it is, and the peak is time's report: the program's own. The wall time
    then includes time's start (about a millisecond)."""
    command = [str(part) for part in command]
    gnu_time = peak_through_gnu_time and os.access(GNU_TIME, os.X_OK)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile("r", suffix=".peak") as peak:
        if gnu_time:
            command = [GNU_TIME, "-f", "%M", "-o", peak.name, *command]
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        peak_kb = usage.ru_maxrss
        if gnu_time:
            report = peak.read().strip().splitlines()
            # time's report is its last line; before it, "Command exited with non-zero status".
            peak_kb = int(report[-1]) if report and report[-1].isdigit() else peak_kb
        out.seek(0)
        err.seek(0)
        return ProcessResult(seconds, child.returncode, out.read().decode(errors="replace"),
                             err.read().decode(errors="replace"), peak_kb / 1024)


def checked(command, result):
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise ToolFailed(f"{Path(str(command[0])).name} exited with {result.returncode}: {last}")
    return result


def read_rgb(path):
    """A written image as (H, W, 3) uint8. Palette PNGs (with or without tRNS) come back as RGB:
    the inputs compared are opaque, so dropping alpha loses nothing."""
    if not Path(path).is_file():
        raise ToolFailed(f"no output file {Path(path).name}")
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"), dtype=np.uint8)


def run_program(command, output):
    result = checked(command, run_process(command))
    return Run(result.seconds, read_rgb(output), {"peak_rss_mb": result.peak_rss_mb}), result


# --- the programs ------------------------------------------------------------------------

def kmquant_compress(job):
    output = job.out_dir / "kmquant.png"
    command = [job.kmquant, "compress", job.path, "-k", job.k, "-o", output, "--force",
               "--json", "--seed", job.seed]
    run, result = run_program(command, output)
    # kmquant's own figure, kept to cross-check against ours: a difference means the two
    # decoders disagree about the input's pixels.
    run.extra["reported_mse"] = json.loads(result.stdout)["results"][0]["mse"]
    return run


def pngquant(speed):
    def run(job):
        output = job.out_dir / f"pngquant-s{speed}.png"
        return run_program(["pngquant", "--nofs", "--speed", speed, "--force", "--output", output,
                            job.k, "--", job.png_path], output)[0]
    return run


def imagemagick(job):
    output = job.out_dir / "imagemagick.png"
    return run_program(["convert", job.path, "+dither", "-colors", job.k, output], output)[0]


# --- the libraries -----------------------------------------------------------------------

def palette_image(centres, labels, shape):
    """Rebuild an image from float centres and per-pixel labels, the centres rounded to 8 bits
    as any of these users must do to store the result."""
    palette = np.clip(np.rint(centres), 0, 255).astype(np.uint8)
    return palette[np.asarray(labels).reshape(-1)].reshape(shape)


def sklearn_kmeans(n_init):
    def run(job):
        from sklearn.cluster import KMeans
        from sklearn.exceptions import ConvergenceWarning
        pixels = job.original.reshape(-1, 3).astype(np.float64)
        model = KMeans(n_clusters=job.k, n_init=n_init, random_state=job.seed)
        with warnings.catch_warnings():
            # Fewer distinct colours than k: scikit-learn warns and still returns k centres.
            warnings.simplefilter("ignore", ConvergenceWarning)
            start = time.perf_counter()
            model.fit(pixels)
            labels = model.predict(pixels)
            seconds = time.perf_counter() - start
        return Run(seconds, palette_image(model.cluster_centers_, labels, job.original.shape))
    return run


def opencv_kmeans(attempts):
    def run(job):
        import cv2
        pixels = job.original.reshape(-1, 3).astype(np.float32)
        criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_MAX_ITER, OPENCV_MAX_ITER, OPENCV_EPS)
        cv2.setRNGSeed(job.seed)
        start = time.perf_counter()
        _, labels, centres = cv2.kmeans(pixels, job.k, None, criteria, attempts,
                                        cv2.KMEANS_PP_CENTERS)
        seconds = time.perf_counter() - start
        return Run(seconds, palette_image(centres, labels, job.original.shape))
    return run


def pillow_quantize(method):
    def run(job):
        image = Image.fromarray(job.original, "RGB")
        start = time.perf_counter()
        quantized = image.quantize(colors=job.k, method=method, dither=Image.Dither.NONE)
        seconds = time.perf_counter() - start
        return Run(seconds, np.asarray(quantized.convert("RGB"), dtype=np.uint8))
    return run


TOOLS = [
    Tool("kmquant", "kmquant compress IMAGE -k K -o OUT.png --force", "kmquant", True,
         kmquant_compress),
    Tool("sklearn-1", "sklearn.cluster.KMeans(K, n_init=1).fit(X).predict(X), X float64 pixels",
         "sklearn", False, sklearn_kmeans(1)),
    Tool("sklearn-10", "sklearn.cluster.KMeans(K, n_init=10).fit(X).predict(X)", "sklearn", False,
         sklearn_kmeans(10)),
    Tool("opencv-1", f"cv2.kmeans(X float32, K, attempts=1, KMEANS_PP_CENTERS, "
         f"{OPENCV_MAX_ITER} iterations or eps {OPENCV_EPS})", "cv2", False, opencv_kmeans(1)),
    Tool("opencv-10", "cv2.kmeans(..., attempts=10, KMEANS_PP_CENTERS)", "cv2", False,
         opencv_kmeans(10)),
    Tool("pngquant-s4", "pngquant --nofs --speed 4 K", "pngquant", True, pngquant(4)),
    Tool("pngquant-s1", "pngquant --nofs --speed 1 K", "pngquant", True, pngquant(1)),
    Tool("imagemagick", "convert IN +dither -colors K OUT.png", "imagemagick", True, imagemagick),
    Tool("pillow-mediancut", "Image.quantize(K, Quantize.MEDIANCUT, dither=NONE)", "pil", False,
         pillow_quantize(Image.Quantize.MEDIANCUT)),
    Tool("pillow-maxcoverage", "Image.quantize(K, Quantize.MAXCOVERAGE, dither=NONE)", "pil", False,
         pillow_quantize(Image.Quantize.MAXCOVERAGE)),
    Tool("pillow-fastoctree", "Image.quantize(K, Quantize.FASTOCTREE, dither=NONE)", "pil", False,
         pillow_quantize(Image.Quantize.FASTOCTREE)),
]
