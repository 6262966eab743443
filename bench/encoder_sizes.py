#!/usr/bin/python3
"""kmquant's default PNG encoding against pngquant's at the same k, and batch time.

Sizes: `kmquant compress IMAGE -k K` against `pngquant --nofs --speed 4 K` (no dithering on
either side), on the RGBA artwork of a folder (every PNG with an alpha channel) at k = 16 and
256, one row per image, and on a folder of photos (the 24 Kodak images) as medians at k = 16,
64 and 256. Batch: `kmquant compress DIR -k 64 --out-dir OUT` against pngquant over the same
files two at a time (`xargs -P 2`), `rounds` interleaved rounds, median wall times.

    bench/encoder_sizes.py --kmquant build/release/kmquant \
        --artwork ../shared/images/extra --photos ../shared/images/kodak [--rounds 3]
"""

import argparse
import pathlib
import shutil
import statistics
import subprocess
import tempfile
import time

from PIL import Image


def run(command):
    started = time.perf_counter()
    subprocess.run([str(c) for c in command], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)
    return time.perf_counter() - started


def sizes(kmquant, image, k, folder):
    ours = folder / f"{image.stem}-k{k}-kmquant.png"
    theirs = folder / f"{image.stem}-k{k}-pngquant.png"
    run([kmquant, "compress", image, "-k", k, "-o", ours, "--force"])
    run(["pngquant", "--nofs", "--speed", "4", "--force", "--output", theirs, k, image])
    return ours.stat().st_size, theirs.stat().st_size


def has_alpha(path):
    with Image.open(path) as image:
        return image.mode in ("RGBA", "LA") or "transparency" in image.info


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kmquant", required=True)
    parser.add_argument("--artwork", required=True, type=pathlib.Path)
    parser.add_argument("--photos", required=True, type=pathlib.Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = pathlib.Path(name)
        print("| artwork | k | kmquant bytes | pngquant bytes | ratio |")
        print("| --- | --- | --- | --- | --- |")
        for image in sorted(p for p in args.artwork.glob("*.png") if has_alpha(p)):
            for k in (16, 256):
                ours, theirs = sizes(args.kmquant, image, k, folder)
                print(f"| {image.name} | {k} | {ours:,} | {theirs:,} | {ours / theirs:.3f} |",
                      flush=True)
        photos = sorted(args.photos.glob("*.png"))
        print(f"\n| photos ({len(photos)}) | k | median kmquant | median pngquant "
              "| median ratio | max ratio |")
        print("| --- | --- | --- | --- | --- | --- |")
        for k in (16, 64, 256):
            rows = [sizes(args.kmquant, image, k, folder) for image in photos]
            ratios = [ours / theirs for ours, theirs in rows]
            print(f"| {args.photos.name} | {k} | {statistics.median(r[0] for r in rows):,.0f} "
                  f"| {statistics.median(r[1] for r in rows):,.0f} "
                  f"| {statistics.median(ratios):.3f} | {max(ratios):.3f} |", flush=True)
        # The batch works on copies: pngquant writes its outputs beside its inputs.
        copies = folder / "photos"
        copies.mkdir()
        for photo in photos:
            shutil.copy(photo, copies / photo.name)
        ours_times, theirs_times = [], []
        listing = "\n".join(str(copies / p.name) for p in photos) + "\n"
        for _ in range(args.rounds):
            ours_times.append(run([args.kmquant, "compress", copies, "-k", "64", "--out-dir",
                                   folder / "batch", "--force", "-q"]))
            started = time.perf_counter()
            subprocess.run(["xargs", "-P", "2", "-n", "1", "pngquant", "--nofs", "--speed", "4",
                            "--force", "--ext", "-pq.png", "64"], input=listing.encode(),
                           check=True)
            theirs_times.append(time.perf_counter() - started)
            for output in copies.glob("*-pq.png"):
                output.unlink()
        ours, theirs = statistics.median(ours_times), statistics.median(theirs_times)
        print(f"\nbatch of {len(photos)} at k = 64: kmquant {ours:.2f} s, pngquant xargs -P 2 "
              f"{theirs:.2f} s, ratio {ours / theirs:.2f} (medians of {args.rounds})")


if __name__ == "__main__":
    main()
