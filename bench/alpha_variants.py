#!/usr/bin/env python3
"""Time and error of transparent images against the same images opaque (issue 23's guards).

Makes kodim05 with alpha 254 everywhere and kodim23 with alpha = x * 255 / width, then runs
`KMQUANT compress -k K --json --threads 1` on each variant, on the opaque original and on the RGBA
images of IMAGES/extra (with --extra). The runs are interleaved (every image and k once, then
again, --repeats times), so a busy machine slows all of them alike. It prints one line per image
and k: the medians of wall seconds and of the process's CPU seconds (user + system), and the
written MSE; then the goal check, each variant's CPU time over its opaque original's at the same
k (the goal: at most 1.5), and the mean MSE of the transparent images at each k. With
--save FILE the results are written as JSON; with --compare FILE (an earlier --save) each mean
MSE is also given as a ratio to that run's (the guard: within 0.5 %). Compare two builds:

    bench/alpha_variants.py OLD/kmquant --ks 16,64,256 --extra --save old.json
    bench/alpha_variants.py build/release/kmquant --ks 16,64,256 --extra --compare old.json
"""
import argparse
import json
import pathlib
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
from PIL import Image

# Each transparent variant and the opaque image it is timed against.
GOAL_PAIRS = (("kodim05-alpha254", "kodim05-opaque"), ("kodim23-gradient", "kodim23-opaque"))
GOAL_RATIO = 1.5


def variants(images: pathlib.Path, work: pathlib.Path, extra: bool, kodak_variants: bool):
    """(name, path, transparent) for every image to run."""
    out = []
    if kodak_variants:
        kodak = images / "kodak"
        k05 = np.asarray(Image.open(kodak / "kodim05.png").convert("RGB"))
        k23 = np.asarray(Image.open(kodak / "kodim23.png").convert("RGB"))
        a254 = np.dstack([k05, np.full(k05.shape[:2], 254, np.uint8)])
        width = k23.shape[1]
        ramp = (np.arange(width) * 255 // width).astype(np.uint8)
        gradient = np.dstack([k23, np.broadcast_to(ramp, k23.shape[:2])])
        for name, pixels in (("kodim05-alpha254", a254), ("kodim23-gradient", gradient)):
            path = work / f"{name}.png"
            Image.fromarray(pixels, "RGBA").save(path)
            out.append((name, path, True))
        out += [("kodim05-opaque", kodak / "kodim05.png", False),
                ("kodim23-opaque", kodak / "kodim23.png", False)]
    if extra:
        for path in sorted((images / "extra").glob("*.png")):
            if Image.open(path).mode == "RGBA":
                out.append((path.stem, path, True))
    return out


def run(kmquant, path, k, work, timeout):
    """(wall seconds, CPU seconds, MSE) of one compress run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([kmquant, "compress", "-k", str(k), "--json", "--threads", "1", "-f",
                           str(path), "-o", str(work / "out.png")],
                          capture_output=True, text=True, timeout=timeout, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu, json.loads(done.stdout)["results"][0]["mse"]


def measure(kmquant, images, ks, repeats, work, timeout):
    """{(name, k): {"wall", "cpu", "mse"}} with medians over the interleaved repeats."""
    runs = {(name, k): [] for name, _, _ in images for k in ks}
    timed_out = set()
    for _ in range(repeats):
        for name, path, _ in images:
            for k in ks:
                if (name, k) in timed_out:
                    continue
                try:
                    runs[(name, k)].append(run(kmquant, path, k, work, timeout))
                except subprocess.TimeoutExpired:
                    timed_out.add((name, k))
    results = {}
    for (name, k), done in runs.items():
        if (name, k) in timed_out or not done:
            print(f"{name} k={k} timeout>{timeout:.0f}s", flush=True)
            continue
        results[(name, k)] = {"wall": statistics.median(r[0] for r in done),
                              "cpu": statistics.median(r[1] for r in done), "mse": done[0][2]}
        r = results[(name, k)]
        print(f"{name} k={k} wall={r['wall']:.3f}s cpu={r['cpu']:.3f}s mse={r['mse']:.6f}",
              flush=True)
    return results


def report(images, ks, results, baseline):
    print("\ngoal: transparent CPU time / opaque CPU time (at most 1.5)")
    for variant, opaque in GOAL_PAIRS:
        for k in ks:
            if (variant, k) in results and (opaque, k) in results:
                ratio = results[(variant, k)]["cpu"] / max(results[(opaque, k)]["cpu"], 1e-9)
                verdict = "ok" if ratio <= GOAL_RATIO else "OVER"
                print(f"  {variant} k={k}: {ratio:.2f}x {verdict}")
    print("\nmean MSE of the transparent images")
    transparent = [name for name, _, is_transparent in images if is_transparent]
    for k in ks:
        mses = [results[(n, k)]["mse"] for n in transparent if (n, k) in results]
        if len(mses) != len(transparent):
            print(f"  k={k}: incomplete ({len(mses)} of {len(transparent)})")
            continue
        line = f"  k={k}: {statistics.mean(mses):.6f}"
        old = [baseline.get(f"{n}|{k}", {}).get("mse") for n in transparent]
        if baseline and all(m is not None for m in old) and statistics.mean(old) > 0:
            line += f" ({statistics.mean(mses) / statistics.mean(old):.4f} x the baseline's)"
        print(line)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("kmquant")
    parser.add_argument("--images", default="../shared/images")
    parser.add_argument("--ks", default="16,64")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--extra", action="store_true", help="also the RGBA images of extra/")
    parser.add_argument("--no-kodak", action="store_true", help="only the images of extra/")
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--save", help="write the results to this JSON file")
    parser.add_argument("--compare", help="a --save file to give the mean MSE against")
    args = parser.parse_args()
    ks = [int(k) for k in args.ks.split(",")]
    baseline = json.loads(pathlib.Path(args.compare).read_text()) if args.compare else {}
    with tempfile.TemporaryDirectory() as tmp:
        work = pathlib.Path(tmp)
        images = variants(pathlib.Path(args.images), work, args.extra, not args.no_kodak)
        results = measure(args.kmquant, images, ks, args.repeats, work, args.timeout)
    report(images, ks, results, baseline)
    if args.save:
        pathlib.Path(args.save).write_text(
            json.dumps({f"{name}|{k}": r for (name, k), r in results.items()}, indent=1))


if __name__ == "__main__":
    sys.exit(main())
