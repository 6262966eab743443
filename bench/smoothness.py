#!/usr/bin/env python3
"""Is the effort plan smooth in k? (issue 23's rule)

For each image, runs `KMQUANT compress -k K --json --threads 1` for every K in --ks (default
2…256) and prints K, the written PSNR, the process's CPU seconds (user + system: on one thread
the work, far less disturbed by a busy machine than wall time) and the quantize wall seconds,
then every place where the PSNR drops from K−1 to K by more than 0.01 dB or the CPU time passes
1.5 × that of K−1 plus 20 ms:

    bench/smoothness.py build/release/kmquant ../shared/images/kodak/kodim01.png [...]

Recheck a flagged K with --ks K-1,K --repeats 5 (medians).
"""
import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile


def measure(kmquant, image, k, out, repeats):
    runs = []
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run([kmquant, "compress", "-k", str(k), "--json", "--threads", "1", "-f",
                               image, "-o", out], capture_output=True, text=True, check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        report = json.loads(done.stdout)
        runs.append((report["results"][0]["psnr"], cpu, report["quantize_seconds"]))
    return (runs[0][0], statistics.median(r[1] for r in runs),
            statistics.median(r[2] for r in runs))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("kmquant")
    parser.add_argument("images", nargs="+")
    parser.add_argument("--ks", default="2-256", help="FIRST-LAST or a comma-separated list")
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    if "-" in args.ks:
        first, last = map(int, args.ks.split("-"))
        ks = list(range(first, last + 1))
    else:
        ks = [int(k) for k in args.ks.split(",")]
    flagged = 0
    with tempfile.NamedTemporaryFile(suffix=".png") as out:
        for image in args.images:
            previous = None
            for k in ks:
                psnr, seconds, wall = measure(args.kmquant, image, k, out.name, args.repeats)
                print(f"{image} k={k} psnr={psnr:.4f} cpu={seconds:.4f} quantize_wall={wall:.4f}",
                      flush=True)
                if previous is not None and previous[0] == k - 1:
                    if psnr < previous[1] - 0.01:
                        print(f"  PSNR DROP {previous[1]:.4f} -> {psnr:.4f}", flush=True)
                        flagged += 1
                    if seconds > 1.5 * previous[2] + 0.020:
                        print(f"  TIME JUMP {previous[2]:.4f} -> {seconds:.4f}", flush=True)
                        flagged += 1
                previous = (k, psnr, seconds)
    print(f"flagged: {flagged}")


if __name__ == "__main__":
    sys.exit(main())
