#!/usr/bin/python3
"""Perceptual rate–distortion of kmquant against pngquant: RD curves and BD-rates (issue 24).

For every image and k it writes a palette PNG with each variant below, then measures the file's
bytes and its distance from the original: butteraugli (max and 3-norm, `butteraugli_main
--pnorm 3`), SSIMULACRA (`ssimulacra_main`), PSNR (MSE over pixels and the 3 channels of 8-bit
RGB) and SSIM (Wang et al.: 11×11 Gaussian window, σ = 1.5, K1 = 0.01, K2 = 0.03, L = 255,
valid region; computed per R, G, B channel and averaged). Outputs are decoded by Pillow as RGB.

BD-rate of variant A against B, per image and metric: log(bytes) interpolated linearly against
the metric on each curve, the gap averaged over the metric range both curves cover, reported as
exp(mean gap) − 1. Negative means A's files are smaller at equal quality. The table gives the
mean of the per-image BD-rates (images whose curves do not overlap are left out and counted).

    bench/rd_perceptual.py --kmquant build/bench/kmquant [--images ../shared/images/kodak]
        [--only kodim01,kodim23] [--ks 4,8,...,256] [--jobs 2] [--cache FILE] [--plot DIR]
        [--sheet FILE --sheet-image kodim23 --sheet-k 16 --sheet-crop X,Y,W,H]
    bench/rd_perceptual.py --self-test

Needs butteraugli_main and ssimulacra_main (libjxl-devtools) and pngquant:
scripts/install-deps.sh --bench.
"""
import argparse
import concurrent.futures
import hashlib
import json
import math
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image, ImageDraw, ImageFont

REPO = pathlib.Path(__file__).resolve().parent.parent

# Variant name -> (tool, arguments besides the input and output).
VARIANTS = {
    "kmquant": ("kmquant", []),
    "kmquant-fs": ("kmquant", ["--dither", "fs"]),
    "pngquant": ("pngquant", []),
    "pngquant-nofs": ("pngquant", ["--nofs"]),
    "pngquant-s1": ("pngquant", ["--speed", "1"]),
}
LABELS = {
    "kmquant": "kmquant (no dithering)",
    "kmquant-fs": "kmquant --dither fs",
    "pngquant": "pngquant (dithered)",
    "pngquant-nofs": "pngquant --nofs",
    "pngquant-s1": "pngquant --speed 1",
}
# (A, B, the table's two first cells): BD-rate of A against B.
PAIRS = [
    ("kmquant", "pngquant-nofs", "default, no dithering", "`pngquant --nofs`"),
    ("kmquant", "pngquant", "default, no dithering", "`pngquant` (default: dithered)"),
    ("kmquant-fs", "pngquant", "`--dither fs`", "`pngquant` (default: dithered)"),
    ("kmquant-fs", "kmquant", "`--dither fs`", "kmquant without dithering"),
    ("kmquant", "pngquant-s1", "default, no dithering", "`pngquant --speed 1` (dithered)"),
]
# Metric key -> (column title, higher is better).
METRICS = {
    "butteraugli_3norm": ("butteraugli 3-norm", False),
    "butteraugli_max": ("butteraugli max", False),
    "ssimulacra": ("SSIMULACRA", False),
    "psnr": ("PSNR", True),
    "ssim": ("SSIM", True),
}


def file_digest(path):
    """The first 16 hex digits of a file's SHA-256: identifies inputs and binaries in the cache."""
    return hashlib.sha256(pathlib.Path(path).read_bytes()).hexdigest()[:16]


def encode(variant, kmquant, image, k, out):
    """Writes `out` with one variant; raises RuntimeError naming the command when it fails."""
    tool, extra = VARIANTS[variant]
    if tool == "kmquant":
        command = [kmquant, "compress", "-k", str(k), str(image), "-o", str(out), "--force", "-q"]
        command += extra
    else:
        command = ["pngquant", "--force", "--output", str(out), *extra, str(k), str(image)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"`{' '.join(command)}` exited {done.returncode}: "
                           f"{done.stderr.strip()[:300] or '(no message)'}")


def load_rgb(path):
    """A PNG decoded by Pillow as an (H, W, 3) uint8 array."""
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"), dtype=np.uint8)


def gaussian_filter_valid(x, sigma=1.5, size=11):
    """Separable Gaussian filter (normalized weights) of a 2-D array, valid region only."""
    taps = np.exp(-0.5 * ((np.arange(size) - size // 2) / sigma) ** 2)
    taps /= taps.sum()
    rows = sum(w * x[i:x.shape[0] - size + 1 + i] for i, w in enumerate(taps))
    return sum(w * rows[:, i:x.shape[1] - size + 1 + i] for i, w in enumerate(taps))


def ssim(a, b):
    """Mean SSIM of two (H, W, 3) uint8 images: per channel, then the mean of the channels."""
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    scores = []
    for channel in range(3):
        x = a[..., channel].astype(np.float64)
        y = b[..., channel].astype(np.float64)
        mx, my = gaussian_filter_valid(x), gaussian_filter_valid(y)
        vx = gaussian_filter_valid(x * x) - mx * mx
        vy = gaussian_filter_valid(y * y) - my * my
        cxy = gaussian_filter_valid(x * y) - mx * my
        s = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
        scores.append(s.mean())
    return float(np.mean(scores))


def psnr(a, b):
    """PSNR in dB of 8-bit RGB over pixels and the 3 channels."""
    diff = a.astype(np.int64) - b.astype(np.int64)
    mse = float(np.mean(diff * diff))
    return math.inf if mse == 0 else 10 * math.log10(255 * 255 / mse)


def run_tool(command):
    """A measuring tool's standard output; raises RuntimeError when it fails."""
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"`{' '.join(command)}` exited {done.returncode}: {done.stderr[:300]}")
    return done.stdout


def measure(original, out, k):
    """Bytes and every metric of one output against its original."""
    with Image.open(out) as image:
        colours = image.convert("RGB").getcolors(maxcolors=256)
    if colours is None or len(colours) > k:
        raise RuntimeError(f"{out.name}: more than {k} colours")
    butteraugli = run_tool(["butteraugli_main", str(original), str(out), "--pnorm", "3"])
    found = re.fullmatch(r"\s*([0-9.eE+-]+)\s*\n3-norm:\s*([0-9.eE+-]+)\s*", butteraugli)
    if not found:
        raise RuntimeError(f"unexpected butteraugli_main output: {butteraugli!r}")
    ours, theirs = load_rgb(original), load_rgb(out)
    return {
        "bytes": out.stat().st_size,
        "butteraugli_max": float(found[1]),
        "butteraugli_3norm": float(found[2]),
        "ssimulacra": float(run_tool(["ssimulacra_main", str(original), str(out)]).split()[0]),
        "psnr": psnr(ours, theirs),
        "ssim": ssim(ours, theirs),
    }


def job(kmquant, image, k, variant, folder):
    """Encodes and measures one (image, k, variant); returns the record or {"error": text}."""
    out = folder / f"{image.stem}-k{k}-{variant}.png"
    try:
        encode(variant, kmquant, image, k, out)
        return measure(image, out, k)
    except RuntimeError as error:
        return {"error": str(error)}
    finally:
        out.unlink(missing_ok=True)


def bd_rate(curve_a, curve_b, higher_is_better):
    """BD-rate of curve A against B, each a list of (metric, bytes): exp(mean log-rate gap) − 1
    over the metric range both cover, log(bytes) piecewise linear in the metric. None when the
    ranges do not overlap."""
    def prepared(curve):
        points = sorted((m if higher_is_better else -m, math.log(b)) for m, b in curve)
        return np.array([p[0] for p in points]), np.array([p[1] for p in points])

    qa, ra = prepared(curve_a)
    qb, rb = prepared(curve_b)
    low, high = max(qa[0], qb[0]), min(qa[-1], qb[-1])
    if not high > low:
        return None
    # The gap is linear between the union of both curves' breakpoints: trapezoids are exact.
    grid = np.unique(np.concatenate(([low, high], qa, qb)))
    grid = grid[(grid >= low) & (grid <= high)]
    gap = np.interp(grid, qa, ra) - np.interp(grid, qb, rb)
    mean_gap = np.sum((gap[1:] + gap[:-1]) / 2 * np.diff(grid)) / (high - low)
    return math.expm1(mean_gap)


def self_test():
    """Synthetic curves whose rates differ by exactly 10 % must give −10 % (±0.1 %)."""
    quality = [30.0, 33.5, 36.0, 41.0, 44.0]
    rate = [math.exp(0.2 * q) for q in quality]
    cases = {
        "same points, higher is better": (list(zip(quality, [0.9 * r for r in rate])),
                                          list(zip(quality, rate)), True),
        "other points, lower is better": ([(-q, 0.9 * math.exp(0.2 * q)) for q in (31, 35, 40, 43)],
                                          [(-q, r) for q, r in zip(quality, rate)], False),
    }
    failed = False
    for name, (a, b, higher) in cases.items():
        value = bd_rate(a, b, higher)
        ok = value is not None and abs(value + 0.10) <= 0.001
        failed |= not ok
        shown = "no overlap" if value is None else f"{value:+.4%}"
        print(f"{'ok' if ok else 'FAILED'}: {name}: {shown} (expected −10 %)")
    return 1 if failed else 0


def run_all(args, images, cache):
    """Measures every (image, k, variant) missing from the cache, `args.jobs` at a time."""
    kmquant_id = file_digest(args.kmquant)
    pngquant_id = run_tool(["pngquant", "--version"]).strip()
    image_ids = {image: file_digest(image) for image in images}
    keys = {}
    for image in images:
        for k in args.ks:
            for variant in VARIANTS:
                tool_id = kmquant_id if VARIANTS[variant][0] == "kmquant" else pngquant_id
                key = f"{image_ids[image]}|{k}|{variant}|{tool_id}"
                keys[(image.stem, k, variant)] = (image, key)
    todo = [(name, image, key) for name, (image, key) in keys.items() if key not in cache]
    print(f"{len(keys)} outputs, {len(todo)} to measure", file=sys.stderr)
    with tempfile.TemporaryDirectory() as folder, \
            concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = {pool.submit(job, args.kmquant, image, name[1], name[2], pathlib.Path(folder)):
                   (name, key) for name, image, key in todo}
        for done, future in enumerate(concurrent.futures.as_completed(futures), 1):
            name, key = futures[future]
            record = future.result()
            if "error" in record:
                print(f"error: {name[0]} k={name[1]} {name[2]}: {record['error']}", file=sys.stderr)
            else:
                cache[key] = record
            if args.cache and (done % 10 == 0 or done == len(futures)):
                pathlib.Path(args.cache).write_text(json.dumps(cache, indent=0, sort_keys=True))
    return {name: cache.get(key) for name, (image, key) in keys.items()}


def bd_table(results, stems, ks):
    """The markdown table of mean per-image BD-rates, one row per pair."""
    lines = ["| kmquant variant | against | " + " | ".join(t for t, _ in METRICS.values()) + " |",
             "| --- | --- |" + " --: |" * len(METRICS)]
    for a, b, label_a, label_b in PAIRS:
        cells = []
        for metric, (_, higher) in METRICS.items():
            rates = []
            for stem in stems:
                curves = [[(results[stem, k, v][metric], results[stem, k, v]["bytes"])
                           for k in ks if results[stem, k, v]] for v in (a, b)]
                if min(len(c) for c in curves) >= 2:
                    value = bd_rate(curves[0], curves[1], higher)
                    if value is not None:
                        rates.append(value)
            cell = f"{np.mean(rates) * 100:+.1f} %".replace("-", "−") if rates else "n/a"
            if len(rates) < len(stems):
                cell += f" ({len(rates)}/{len(stems)})"
            cells.append(cell)
        lines.append(f"| {label_a} | {label_b} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot(results, stems, ks, folder):
    """One PNG per metric: each variant's curve of mean bytes against the mean metric per k."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker
    folder = pathlib.Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for metric, (title, higher) in METRICS.items():
        figure, axes = plt.subplots(figsize=(6.4, 4.4), dpi=100)
        for variant in VARIANTS:
            points = {}
            for k in ks:
                records = [results[stem, k, variant] for stem in stems]
                if all(records):
                    points[k] = (np.mean([r["bytes"] for r in records]) / 1000,
                                 np.mean([r[metric] for r in records]))
            if points:
                axes.plot(*zip(*points.values()), marker="o", markersize=3, label=LABELS[variant])
            if variant == "kmquant":
                for k, point in points.items():
                    axes.annotate(f"k={k}", point, fontsize=7, xytext=(3, 3),
                                  textcoords="offset points")
        axes.set_xscale("log")
        for axis in (axes.xaxis.set_major_formatter, axes.xaxis.set_minor_formatter):
            axis(matplotlib.ticker.FuncFormatter(lambda value, _: f"{value:g}"))
        axes.set_xlabel("mean file size (kB)")
        axes.set_ylabel(f"mean {title} ({'higher' if higher else 'lower'} is better)")
        axes.set_title(f"{title}: mean of {len(stems)} image(s) per k", fontsize=9)
        axes.grid(True, which="both", alpha=0.3)
        axes.legend(fontsize=8)
        figure.tight_layout()
        figure.savefig(folder / f"rd_{metric}.png")
        plt.close(figure)


def sheet(args, images):
    """Side-by-side crops of the original and of every variant, enlarged, with labels."""
    image = next((i for i in images if i.stem == args.sheet_image), None)
    if image is None:
        sys.exit(f"--sheet-image {args.sheet_image} is not among the images")
    x, y, w, h = args.sheet_crop
    scale = args.sheet_scale
    panels = [("original", Image.open(image).convert("RGB"), image.stat().st_size)]
    with tempfile.TemporaryDirectory() as folder:
        for variant in VARIANTS:
            out = pathlib.Path(folder) / f"{variant}.png"
            encode(variant, args.kmquant, image, args.sheet_k, out)
            panels.append((LABELS[variant], Image.open(out).convert("RGB"), out.stat().st_size))
    try:
        font = ImageFont.truetype("DejaVuSans.ttf", 14)
    except OSError:
        font = ImageFont.load_default()
    columns, label_height, gap = 3, 24, 6
    rows = math.ceil(len(panels) / columns)
    cell_w, cell_h = w * scale, h * scale + label_height
    extent = (columns * (cell_w + gap) - gap, rows * (cell_h + gap) - gap)
    canvas = Image.new("RGB", extent, "white")
    draw = ImageDraw.Draw(canvas)
    for index, (label, picture, size) in enumerate(panels):
        left, top = (index % columns) * (cell_w + gap), (index // columns) * (cell_h + gap)
        crop = picture.crop((x, y, x + w, y + h)).resize((w * scale, h * scale), Image.NEAREST)
        canvas.paste(crop, (left, top))
        draw.text((left + 2, top + h * scale + 3), f"{label}: {size:,} bytes", fill="black",
                  font=font)
    canvas.save(args.sheet, optimize=True)
    print(f"wrote {args.sheet} ({image.stem}, k = {args.sheet_k}, crop {x},{y} {w}×{h})",
          file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kmquant", default=str(REPO / "build/bench/kmquant"))
    parser.add_argument("--images", default=str(REPO.parent / "shared/images/kodak"),
                        help="folder of PNG images (default: ../shared/images/kodak)")
    parser.add_argument("--only", help="comma-separated image names (stems) to keep")
    parser.add_argument("--ks", default="4,8,16,32,64,128,256",
                        type=lambda s: [int(k) for k in s.split(",")])
    parser.add_argument("--jobs", type=int, default=2, help="outputs measured at once")
    parser.add_argument("--cache", help="JSON file of measurements, reused and updated")
    parser.add_argument("--plot", help="folder for the RD curves (one PNG per metric)")
    parser.add_argument("--sheet", help="PNG file for the side-by-side crops")
    parser.add_argument("--sheet-image", default="kodim23")
    parser.add_argument("--sheet-k", type=int, default=16)
    parser.add_argument("--sheet-crop", default="150,150,180,120", metavar="X,Y,W,H",
                        type=lambda s: [int(v) for v in s.split(",")])
    parser.add_argument("--sheet-scale", type=int, default=2, choices=(2, 3))
    parser.add_argument("--self-test", action="store_true", help="check the BD-rate and exit")
    args = parser.parse_args()
    if args.self_test:
        return self_test()
    tools = ("pngquant", "butteraugli_main", "ssimulacra_main")
    missing = [tool for tool in tools if not shutil.which(tool)]
    if missing:
        sys.exit(f"missing {', '.join(missing)} (scripts/install-deps.sh --bench)")
    images = sorted(pathlib.Path(args.images).glob("*.png"))
    if args.only:
        wanted = set(args.only.split(","))
        images = [i for i in images if i.stem in wanted]
        if len(images) != len(wanted):
            sys.exit(f"not found in {args.images}: {sorted(wanted - {i.stem for i in images})}")
    if not images:
        sys.exit(f"no PNG images in {args.images}")
    cache_path = pathlib.Path(args.cache) if args.cache else None
    cache = json.loads(cache_path.read_text()) if cache_path and cache_path.exists() else {}
    results = run_all(args, images, cache)
    stems = [i.stem for i in images]
    print(f"BD-rate, mean over {len(stems)} image(s) ({', '.join(stems)}), "
          f"k = {', '.join(map(str, args.ks))}; negative: kmquant's files are smaller\n")
    print(bd_table(results, stems, args.ks))
    if args.plot:
        plot(results, stems, args.ks, args.plot)
    if args.sheet:
        sheet(args, images)
    failed = sum(record is None for record in results.values())
    if failed:
        print(f"{failed} of {len(results)} outputs failed (errors above); they are left out",
              file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
