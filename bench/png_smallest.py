#!/usr/bin/python3
"""kmquant's smallest-file option against pngquant followed by zopflipng, per k.

For every image and k: `kmquant compress IMAGE -k K --png-effort max` against
`pngquant --nofs --speed 1 K` whose output is then run through `zopflipng -m` (the pipeline of
people who care about bytes). Checks that --png-effort max decodes to exactly the pixels of
kmquant's default output (RGBA), and prints per k the median sizes and the median of the
per-image ratios kmquant / (pngquant + zopflipng).

    bench/png_smallest.py --kmquant build/release/kmquant --images ../shared/images/kodak \
        [--ks 16 64 256]
"""

import argparse
import pathlib
import statistics
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image


def run(command):
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def rgba(path):
    with Image.open(path) as image:
        return np.asarray(image.convert("RGBA"))


def measure(kmquant, image, k, folder):
    default = folder / f"{image.stem}-k{k}-default.png"
    smallest = folder / f"{image.stem}-k{k}-max.png"
    theirs = folder / f"{image.stem}-k{k}-pngquant.png"
    zopflied = folder / f"{image.stem}-k{k}-pngquant-zopflipng.png"
    run([kmquant, "compress", str(image), "-k", str(k), "-o", str(default), "--force"])
    run([kmquant, "compress", str(image), "-k", str(k), "-o", str(smallest), "--force",
         "--png-effort", "max"])
    if not np.array_equal(rgba(default), rgba(smallest)):
        sys.exit(f"{image} k={k}: --png-effort max changed the pixels")
    run(["pngquant", "--nofs", "--speed", "1", "--force", "--output", str(theirs), str(k),
         str(image)])
    run(["zopflipng", "-m", "-y", str(theirs), str(zopflied)])
    return default.stat().st_size, smallest.stat().st_size, zopflied.stat().st_size


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kmquant", required=True)
    parser.add_argument("--images", required=True, type=pathlib.Path)
    parser.add_argument("--ks", type=int, nargs="+", default=[16, 64, 256])
    args = parser.parse_args()
    images = sorted(args.images.glob("*.png"))
    print("| k | kmquant default | kmquant --png-effort max | pngquant --speed 1 + zopflipng -m "
          "| median ratio max / pngquant+zopflipng | images where max is smaller |")
    print("| --- | --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as folder:
        for k in args.ks:
            rows = [measure(args.kmquant, image, k, pathlib.Path(folder)) for image in images]
            ratios = [ours / theirs for _, ours, theirs in rows]
            smaller = sum(ours <= theirs for _, ours, theirs in rows)
            print(f"| {k} | {statistics.median(r[0] for r in rows):,.0f} "
                  f"| {statistics.median(r[1] for r in rows):,.0f} "
                  f"| {statistics.median(r[2] for r in rows):,.0f} "
                  f"| {statistics.median(ratios):.4f} | {smaller} of {len(rows)} |", flush=True)


if __name__ == "__main__":
    main()
