#!/usr/bin/env python3
"""Time and error of transparent images against the same images opaque (issue 23's guards).

Makes kodim05 with alpha 254 everywhere and kodim23 with alpha = x * 255 / width, then runs
`KMQUANT compress -k K --json --threads 1` on each variant, on the opaque original and on the RGBA
images of IMAGES/extra, and prints one line per run: image, k, wall seconds (median of
--repeats), written MSE. Compare two builds by running it with each:

    bench/alpha_variants.py build/release/kmquant [--ks 16,64] [--extra [--no-kodak]] [--timeout 600]
"""
import argparse
import json
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
from PIL import Image


def variants(images: pathlib.Path, work: pathlib.Path, extra: bool, kodak_variants: bool):
    kodak = images / "kodak"
    out = []
    if not kodak_variants:
        return [(p.stem, p) for p in sorted((images / "extra").glob("*.png"))
                if extra and Image.open(p).mode == "RGBA"]
    k05 = np.asarray(Image.open(kodak / "kodim05.png").convert("RGB"))
    k23 = np.asarray(Image.open(kodak / "kodim23.png").convert("RGB"))
    a254 = np.dstack([k05, np.full(k05.shape[:2], 254, np.uint8)])
    width = k23.shape[1]
    ramp = (np.arange(width) * 255 // width).astype(np.uint8)
    gradient = np.dstack([k23, np.broadcast_to(ramp, k23.shape[:2])])
    for name, pixels in (("kodim05-alpha254", a254), ("kodim23-gradient", gradient)):
        path = work / f"{name}.png"
        Image.fromarray(pixels, "RGBA").save(path)
        out.append((name, path))
    out += [("kodim05-opaque", kodak / "kodim05.png"), ("kodim23-opaque", kodak / "kodim23.png")]
    if extra:
        for path in sorted((images / "extra").glob("*.png")):
            if Image.open(path).mode == "RGBA":
                out.append((path.stem, path))
    return out


def run(kmquant, path, k, work, timeout):
    start = time.perf_counter()
    done = subprocess.run([kmquant, "compress", "-k", str(k), "--json", "--threads", "1", "-f",
                           str(path), "-o", str(work / "out.png")],
                          capture_output=True, text=True, timeout=timeout, check=True)
    seconds = time.perf_counter() - start
    return seconds, json.loads(done.stdout)["results"][0]["mse"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("kmquant")
    parser.add_argument("--images", default="../shared/images")
    parser.add_argument("--ks", default="16,64")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--extra", action="store_true", help="also the RGBA images of extra/")
    parser.add_argument("--no-kodak", action="store_true", help="only the images of extra/")
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = pathlib.Path(tmp)
        for name, path in variants(pathlib.Path(args.images), work, args.extra,
                                   not args.no_kodak):
            for k in map(int, args.ks.split(",")):
                try:
                    runs = [run(args.kmquant, path, k, work, args.timeout)
                            for _ in range(args.repeats)]
                except subprocess.TimeoutExpired:
                    print(f"{name} k={k} timeout>{args.timeout:.0f}s", flush=True)
                    continue
                seconds = statistics.median(r[0] for r in runs)
                print(f"{name} k={k} {seconds:.3f}s mse={runs[0][1]:.6f}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
