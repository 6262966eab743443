#!/usr/bin/python3
"""The 14.6-megapixel photo, whole process and by stage, against pngquant, side by side.

Whole process (wall seconds and peak resident memory from /usr/bin/time, `rounds` interleaved
rounds, medians; the machine's other load shows as noise, so compare within one run):
  - kmquant compress IMAGE -k 256, from the JPEG and from the PNG
  - kmquant compress IMAGE -k 256 --threads 1 and 2: the same bytes
  - kmquant sweep IMAGE (default k = 2, 4, 8, 16, 32)
  - pngquant --nofs --speed 4 256 on the PNG
By stage, through the Python module (same library): kmquant.load (decoding),
kmquant.quantize (colour counting, k-means, mapping every pixel; all threads) and kmquant.save
(the indexed PNG's encoding, on the one thread the module gives it, and the write).

    bench/large_image.py --kmquant build/release/kmquant --python build/release/python \
        --jpeg ../shared/images/extra/world.topo.bathy.200412.3x5400x2700.jpg [--rounds 3]
"""

import argparse
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time


def timed(command):
    """Wall seconds and peak resident kilobytes of a command."""
    result = subprocess.run(["/usr/bin/time", "-f", "%e %M"] + [str(c) for c in command],
                            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    seconds, kilobytes = result.stderr.strip().splitlines()[-1].split()
    return float(seconds), int(kilobytes)


def stages(python_path, image, rounds, folder):
    code = f"""
import sys, time
sys.path.insert(0, {str(python_path)!r})
import kmquant
def clock(): return time.perf_counter(), time.process_time()
rows = []
for _ in range({rounds}):
    t0 = clock(); pixels = kmquant.load({str(image)!r})
    t1 = clock(); result = kmquant.quantize(pixels, 256)
    t2 = clock(); kmquant.save({str(folder / 'stage.png')!r}, result)
    t3 = clock()
    rows.append([b[i] - a[i] for a, b in ((t0, t1), (t1, t2), (t2, t3)) for i in (0, 1)])
for row in rows: print(*row)
"""
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True).stdout
    rows = [tuple(map(float, line.split())) for line in out.splitlines()]
    return [statistics.median(r[i] for r in rows) for i in range(6)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kmquant", required=True)
    parser.add_argument("--python", required=True, type=pathlib.Path)
    parser.add_argument("--jpeg", required=True, type=pathlib.Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = pathlib.Path(name)
        png = folder / "photo.png"
        subprocess.run(["convert", str(args.jpeg), str(png)], check=True)
        km = args.kmquant
        commands = {
            "kmquant compress -k 256 (JPEG)": [km, "compress", args.jpeg, "-k", "256", "-o",
                                               folder / "a.png", "--force"],
            "kmquant compress -k 256 (PNG)": [km, "compress", png, "-k", "256", "-o",
                                              folder / "b.png", "--force"],
            "kmquant compress -k 256 --threads 1 (PNG)": [km, "compress", png, "-k", "256",
                                                          "--threads", "1", "-o",
                                                          folder / "c.png", "--force"],
            "kmquant sweep (JPEG, k = 2..32)": [km, "sweep", args.jpeg, "-o", folder / "sweep"],
            "pngquant --nofs --speed 4 256 (PNG)": ["pngquant", "--nofs", "--speed", "4",
                                                    "--force", "--output", folder / "p.png",
                                                    "256", png],
        }
        runs = {name: [] for name in commands}
        for _ in range(args.rounds):
            for name, command in commands.items():
                runs[name].append(timed(command))
        same = (folder / "b.png").read_bytes() == (folder / "c.png").read_bytes()
        pngquant = statistics.median(s for s, _ in runs["pngquant --nofs --speed 4 256 (PNG)"])
        print("| command | median wall s | × pngquant | peak RSS MB | output bytes |")
        print("| --- | --- | --- | --- | --- |")
        outputs = {"kmquant compress -k 256 (JPEG)": "a.png",
                   "kmquant compress -k 256 (PNG)": "b.png",
                   "kmquant compress -k 256 --threads 1 (PNG)": "c.png",
                   "pngquant --nofs --speed 4 256 (PNG)": "p.png"}
        for name, samples in runs.items():
            seconds = statistics.median(s for s, _ in samples)
            memory = max(m for _, m in samples) / 1024
            size = (folder / outputs[name]).stat().st_size if name in outputs else ""
            print(f"| {name} | {seconds:.2f} | {seconds / pngquant:.2f} | {memory:.0f} "
                  f"| {size:,} |" if size else
                  f"| {name} | {seconds:.2f} | {seconds / pngquant:.2f} | {memory:.0f} | |")
        print(f"\n1 and 2 threads write the same bytes: {same}\n")
        times = stages(args.python, png, args.rounds, folder)
        print("| stage (Python module, PNG input) | median wall s | median CPU s (all threads) |")
        print("| --- | --- | --- |")
        names = ["decode (kmquant.load)",
                 "count colours + k-means + map pixels (kmquant.quantize, k = 256)",
                 "encode indexed PNG + write and flush (kmquant.save, one thread)"]
        for i, name in enumerate(names):
            print(f"| {name} | {times[2 * i]:.2f} | {times[2 * i + 1]:.2f} |")


if __name__ == "__main__":
    main()
