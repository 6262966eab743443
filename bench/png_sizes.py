#!/usr/bin/python3
"""File size of kmquant's indexed PNG against pngquant's, per k, over a folder of images.

For every image and every k it runs `kmquant compress IMAGE -k K` and
`pngquant --nofs --speed 1 K` (no dithering on either side, pngquant's slowest and best
setting), checks that both outputs are palette PNGs of at most K colours, and prints per k the
median file size of each tool, the median of the per-image ratios kmquant / pngquant, and the
median wall time of kmquant's compress (quantization plus encoding).

    bench/png_sizes.py --kmquant build/release/kmquant --images ../shared/images/kodak \
        [--ks 16 64 256] [--keep DIR]
"""

import argparse
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from PIL import Image


def run(command):
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - started


def check_palette_png(path, k):
    with Image.open(path) as image:
        if image.mode not in ("P", "L", "1"):
            sys.exit(f"{path}: mode {image.mode}, not a palette PNG")
        colours = image.getcolors(maxcolors=256)
        if colours is None or len(colours) > k:
            sys.exit(f"{path}: more than {k} colours")


def measure(kmquant, image, k, folder):
    ours = folder / f"{image.stem}-k{k}-kmquant.png"
    theirs = folder / f"{image.stem}-k{k}-pngquant.png"
    seconds = run([kmquant, "compress", str(image), "-k", str(k), "-o", str(ours), "--force"])
    run(["pngquant", "--nofs", "--speed", "1", "--force", "--output", str(theirs), str(k),
         str(image)])
    check_palette_png(ours, k)
    check_palette_png(theirs, k)
    return ours.stat().st_size, theirs.stat().st_size, seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kmquant", required=True, help="the kmquant binary")
    parser.add_argument("--images", required=True, help="folder of PNG/JPEG/WebP images")
    parser.add_argument("--ks", type=int, nargs="+", default=[16, 64, 256])
    parser.add_argument("--keep", help="folder to keep the outputs in (default: a temporary one)")
    args = parser.parse_args()
    if shutil.which("pngquant") is None:
        sys.exit("pngquant is not installed (scripts/install-deps.sh --bench)")
    images = sorted(p for p in pathlib.Path(args.images).iterdir()
                    if p.suffix.lower() in (".png", ".jpg", ".jpeg", ".webp"))
    if not images:
        sys.exit(f"no images in {args.images}")

    with tempfile.TemporaryDirectory() as scratch:
        folder = pathlib.Path(args.keep or scratch)
        folder.mkdir(parents=True, exist_ok=True)
        print(f"{len(images)} images from {args.images}")
        print(f"{'k':>4} {'kmquant':>9} {'pngquant':>9} {'ratio':>7} {'max ratio':>9} "
              f"{'kmquant s':>9}")
        for k in args.ks:
            rows = [measure(args.kmquant, image, k, folder) for image in images]
            ratios = [ours / theirs for ours, theirs, _ in rows]
            print(f"{k:>4} {statistics.median(r[0] for r in rows):>9.0f} "
                  f"{statistics.median(r[1] for r in rows):>9.0f} "
                  f"{statistics.median(ratios):>7.3f} {max(ratios):>9.3f} "
                  f"{statistics.median(r[2] for r in rows):>9.3f}")


if __name__ == "__main__":
    main()
