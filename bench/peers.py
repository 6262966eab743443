#!/usr/bin/python3
"""kmquant side by side with other quantizers, on a folder of images, in one run.

  bench/peers.py [IMAGES or FOLDERS ...] [--ks 2,4,8,16,32] [--tools kmquant,sklearn-1,...]
                 [--kmquant build/release/kmquant] [--seed 0] [--json FILE] [--sweep]
                 [--reuse FILE]

Compare mode (the default): per k, every tool's time, MSE and PSNR, and the ratios to kmquant.
--sweep: the sweep target — the wall time of kmquant's k-means work for the whole sweep (the
`quantize_seconds` of `kmquant sweep --json`: counting the colours and every k, which run side by
side on all threads) against scikit-learn KMeans(n_init=1) fit + predict summed over the
same ks. Every error is recomputed here from the written or returned pixels against the input
as Pillow decodes it; nothing a tool reports about itself is trusted. Tools run one after
another, never in parallel, so their timings do not disturb each other. Progress goes to
standard error, the Markdown tables to standard output. Installs nothing: see REQUIREMENTS.

--reuse FILE: take the peers' records (never kmquant's) from an earlier run's --json file
instead of running them again, for each image, k and tool it has, when it was run with the same
seed and the same version of that tool (scikit-learn's and OpenCV's best of 10 take half an
hour on the 24 Kodak images at k = 2…64 on a fast 2-core machine, and hours at k = 128 and 256;
with fixed seeds they give the same result every time). bench/reference/ keeps such
files; the report says which records were reused.
"""
import argparse
import datetime
import hashlib
import importlib.util
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp"}
DEFAULT_KS = [2, 4, 8, 16, 32]

# What each tool needs, and the Debian 12 package that provides it.
REQUIREMENTS = {
    "numpy": ("module", "numpy", "python3-numpy"),
    "pil": ("module", "PIL", "python3-pil"),
    "sklearn": ("module", "sklearn", "python3-sklearn"),
    "cv2": ("module", "cv2", "python3-opencv"),
    "pngquant": ("program", "pngquant", "pngquant"),
    "imagemagick": ("program", "convert", "imagemagick"),
}


def note(message):
    print(f"peers: {message}", file=sys.stderr, flush=True)


def available(key):
    kind, name, _ = REQUIREMENTS[key]
    return (importlib.util.find_spec(name) is not None if kind == "module"
            else shutil.which(name) is not None)


def check_core_requirements():
    """numpy and Pillow are needed for anything at all; say which packages are missing."""
    packages = " ".join(package for _, _, package in REQUIREMENTS.values())
    note(f"uses the Debian packages {packages} (only numpy and Pillow are required; "
         "a tool whose package is missing is skipped)")
    missing = [REQUIREMENTS[key][2] for key in ("numpy", "pil") if not available(key)]
    if missing:
        note(f"cannot run without {' '.join(missing)}: sudo apt-get install {' '.join(missing)}")
        sys.exit(2)


def parse_ks(text):
    ks = sorted({int(part) for part in text.replace(" ", ",").split(",") if part})
    bad = [k for k in ks if not 2 <= k <= 256]
    if not ks or bad:
        raise argparse.ArgumentTypeError(
            f"k must be 2 to 256 (pngquant's range), got {bad or 'none'}")
    return ks


def parse_args(tool_names):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("paths", nargs="*", type=Path, default=[REPO / "data" / "kodim23.png"],
                        help="images, or folders whose .png/.jpg/.jpeg/.webp files are used "
                             "(default: the sample photo)")
    # One comma-separated argument, like kmquant's -k: a list of words would swallow the paths.
    parser.add_argument("--ks", default=",".join(map(str, DEFAULT_KS)),
                        help="numbers of colours, comma-separated (default 2,4,8,16,32)")
    parser.add_argument("--tools", default=",".join(tool_names),
                        help=f"comma-separated, from: {', '.join(tool_names)} (default all)")
    parser.add_argument("--kmquant", type=Path, default=REPO / "build" / "release" / "kmquant",
                        help="the kmquant binary (default build/release/kmquant)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of kmquant, scikit-learn and OpenCV (default 0)")
    parser.add_argument("--json", type=Path, help="also write every raw number to this file")
    parser.add_argument("--sweep", action="store_true",
                        help="the sweep target: kmquant sweep's k-means time vs sklearn-1")
    parser.add_argument("--reuse", type=Path,
                        help="take the peers' records from this earlier --json output (same "
                             "seed and tool versions) instead of running them again")
    args = parser.parse_args()
    try:
        args.ks = parse_ks(args.ks)
    except (ValueError, argparse.ArgumentTypeError) as error:
        parser.error(f"--ks: {error}")
    chosen = [name.strip() for name in args.tools.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in tool_names]
    if unknown or not chosen:
        parser.error(f"--tools: unknown {', '.join(unknown) or 'none given'}; "
                     f"choose from {', '.join(tool_names)}")
    args.tools = [name for name in tool_names if name in chosen]  # the registry's order
    return args


def list_images(paths):
    images = []
    for path in paths:
        if path.is_dir():
            images += sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        elif path.is_file():
            images.append(path)
        else:
            note(f"{path}: no such file or folder")
            sys.exit(2)
    if not images:
        note("no images found")
        sys.exit(2)
    names = [p.name for p in images]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:  # the tables and the JSON name images by file name
        note(f"two images share the name {', '.join(twice)}: rename one")
        sys.exit(2)
    return images


def runnable_tools(tools, kmquant):
    """The chosen tools whose requirements are here; names the package of each one skipped."""
    from peers_tools import TOOLS
    keep = []
    for tool in (t for t in TOOLS if t.name in tools):
        if tool.needs == "kmquant":
            if not os.access(kmquant, os.X_OK):
                note(f"skipping kmquant: {kmquant} is not an executable (build it: "
                     "cmake --preset release && cmake --build --preset release)")
                continue
        elif not available(tool.needs):
            package = REQUIREMENTS[tool.needs][2]
            note(f"skipping {tool.name}: needs the Debian package {package} "
                 f"(sudo apt-get install {package})")
            continue
        keep.append(tool)
    return keep


def first_line(command):
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=30)
        return (result.stdout.strip().splitlines() or ["?"])[0]
    except OSError:
        return None


def version_key(need):
    """Where versions() records the version of what a tool needs: its module's name for a
    Python library, else the name of the need itself (kmquant, pngquant, imagemagick)."""
    return REQUIREMENTS[need][1] if REQUIREMENTS.get(need, ("",))[0] == "module" else need


def versions(tools, kmquant):
    """The version of every tool in the run, for the record."""
    found = {"python": platform.python_version()}
    for tool in tools:
        if tool.needs == "kmquant":
            line = first_line([str(kmquant), "--version"]) or "?"  # "kmquant 0.1.0"
            found["kmquant"] = line.removeprefix("kmquant ")
        elif tool.needs == "pngquant":
            found["pngquant"] = first_line(["pngquant", "--version"])
        elif tool.needs == "imagemagick":
            # "Version: ImageMagick 6.9.11-60 Q16 x86_64 …"
            line = first_line(["convert", "--version"]) or "?"
            found["imagemagick"] = " ".join(line.split()[2:4])
        elif REQUIREMENTS[tool.needs][0] == "module":
            module = __import__(REQUIREMENTS[tool.needs][1])
            found[version_key(tool.needs)] = getattr(module, "__version__", "?")
    return found


def cpu_name():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def header(title, images, skipped, ks, tool_versions):
    from peers_report import plural
    names = ", ".join(p.name for p in images[:6]) + (", …" if len(images) > 6 else "")
    lines = [f"## {title}", "",
             f"{plural(len(images), 'image')} ({names}), k = {', '.join(map(str, ks))}; "
             f"{cpu_name()}, {os.cpu_count()} logical CPUs; {datetime.date.today().isoformat()}.",
             "Versions: " + ", ".join(f"{name} {version}"
                                      for name, version in tool_versions.items()) + "."]
    if skipped:
        lines.append(f"Left out: {', '.join(skipped)}.")
    return lines + ["", "Command: `" + " ".join(["bench/peers.py"] + sys.argv[1:]) + "`"]


# --- one measurement ---------------------------------------------------------------------

def measure(tool, job, original):
    """Run one tool on one job; the record of what happened, failures included."""
    from peers_metrics import distinct_colors, distortion
    record = {"tool": tool.name, "k": job.k, "ok": False, "error": None}
    try:
        run = tool.run(job)
        found = distortion(run.rgb, original)
        colors = distinct_colors(run.rgb)
        record.update(seconds=run.seconds, sse=found.sse, mse=found.mse,
                      psnr=found.psnr, colors=colors, **run.extra)
        record["ok"] = colors <= job.k
        if colors > job.k:
            record["error"] = f"{colors} colours > k"
        reported = run.extra.get("reported_mse")
        if reported is not None and abs(reported - found.mse) > 1e-9 * max(1.0, found.mse):
            note(f"warning: kmquant reports MSE {reported} but its output has {found.mse}: "
                 "the decoders disagree about this input")
    except Exception as failure:  # noqa: BLE001 — a peer's own error types (cv2.error, ...)
        # are results to record, not reasons to stop the run.
        record["error"] = f"{type(failure).__name__}: {failure}"
    return record


def progress(index, count, image, record):
    what = (f"{record['seconds']:.3f} s, MSE {record['mse']:.3f}" if record["ok"]
            else f"FAILED: {record['error']}")
    note(f"[{index}/{count}] {image.name} k={record['k']} {record['tool']}: {what}")


def load_images(images, skipped):
    """Decode each image with Pillow, one at a time; inputs kmquant and Pillow would see
    differently are left out, and added to `skipped` with the reason."""
    from peers_metrics import load_original
    for path in images:
        pixels, reason = load_original(path)
        if pixels is None:
            note(f"skipping {path.name}: {reason}")
            skipped.append(f"{path.name} ({reason})")
            continue
        yield path, pixels


def reusable_records(path, seed, tool_versions):
    """The records of an earlier --json run that stand for this run's: peers only, run with
    the same seed, by the same version of each tool. Keyed by (image, tool, k, the input
    file's SHA-256), so an image that changed under its name is run again."""
    try:
        earlier = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        note(f"--reuse {path}: cannot read it: {error}")
        sys.exit(2)
    if earlier.get("mode") != "compare" or earlier.get("seed") != seed:
        note(f"--reuse {path}: not a compare run with seed {seed}: nothing reused")
        return {}
    from peers_tools import TOOLS
    same_version = {}
    for tool in TOOLS:
        key = version_key(tool.needs)
        same_version[tool.name] = (tool.needs != "kmquant" and key in tool_versions
                                   and earlier["versions"].get(key) == tool_versions[key])
    found = {}
    for record in earlier["records"]:
        if same_version.get(record["tool"]):
            key = (record["image"], record["tool"], record["k"], record.get("input_sha256"))
            found[key] = record
    return found


def file_digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- the two modes -----------------------------------------------------------------------

def run_compare(args, tools, images, scratch):
    from peers_metrics import as_png
    from peers_report import compare_markdown, summarize
    from peers_tools import Job
    records, used, skipped = [], [], []
    tool_versions = versions(tools, args.kmquant)
    reused = reusable_records(args.reuse, args.seed, tool_versions) if args.reuse else {}
    reused_count = 0
    out_dir = scratch / "out"  # apart from as_png's copies, whatever the images are called
    out_dir.mkdir()
    for index, (path, original) in enumerate(load_images(images, skipped), 1):
        used.append(path)
        digest = file_digest(path)
        needs_png = any(t.needs == "pngquant" for t in tools)
        png_path = as_png(path, original, scratch) if needs_png else path
        for k in args.ks:
            job = Job(path, png_path, original, k, out_dir, args.kmquant, args.seed)
            for tool in tools:
                record = reused.get((path.name, tool.name, k, digest))
                if record is not None:
                    reused_count += 1
                else:
                    record = {"image": path.name, "input_sha256": digest,
                              **measure(tool, job, original)}
                    progress(index, len(images), path, record)
                records.append(record)
    names = [t.name for t in tools]
    summary = summarize(records, names, args.ks, [p.name for p in used])
    legend = ["Tools:"] + [f"- {t.name}: `{t.description}`; time: "
                           f"{'the whole process' if t.whole_process else 'the call only'}"
                           for t in tools]
    legend += ["", "MSE and PSNR are recomputed by peers.py from each output (decoded by Pillow, "
               "as RGB) against the input decoded by Pillow; PSNR is averaged per image. "
               "time ÷ kmquant: median over images of the per-image ratio; MSE ÷ kmquant: ratio "
               "of the mean MSEs over the images both tools succeeded on; kmquant MSE ≤ tool's: "
               "images where kmquant's error is at most the tool's. A run whose output has more "
               "than k colours counts as failed."]
    if reused_count:
        legend += ["", f"Reused from {args.reuse} (the same seed and tool versions, not run "
                   f"again): {reused_count} of {len(records)} records; their times are that "
                   "run's."]
    failures = [r for r in records if not r["ok"]]
    text = compare_markdown(summary, header("kmquant and its peers", used, skipped, args.ks,
                                            tool_versions), legend, failures)
    return text, {"mode": "compare", "records": records, "summary": summary,
                  "versions": tool_versions, "images": [str(p) for p in used],
                  "skipped": skipped}, \
        any(r["tool"] == "kmquant" and not r["ok"] for r in records)


def sweep_one(args, path, original, scratch, sklearn):
    """kmquant sweep on one image, and sklearn-1 at each of its ks; the per-image row."""
    from peers_metrics import distinct_colors, distortion
    from peers_tools import Job, ToolFailed, checked, read_rgb, run_process
    row = {"image": path.name, "ok": False, "error": None, "per_k": {}}
    out_dir = scratch / "sweep"
    command = [args.kmquant, "sweep", path, "-k", ",".join(map(str, args.ks)), "-o", out_dir,
               "--json", "--seed", args.seed]
    try:
        result = checked(command, run_process(command, peak_through_gnu_time=True))
        report = json.loads(result.stdout)
        for entry in report["results"]:
            rgb = read_rgb(entry["file"])
            found = distortion(rgb, original)
            colors = distinct_colors(rgb)
            if colors > entry["k"]:
                raise ToolFailed(f"k{entry['k']}.png has {colors} colours")
            row["per_k"][entry["k"]] = {"kmquant_seconds": entry["seconds"],
                                        "kmquant_sse": found.sse, "kmquant_mse": found.mse}
        for k in args.ks:
            fit = sklearn.run(Job(path, path, original, k, scratch, args.kmquant, args.seed))
            found = distortion(fit.rgb, original)
            row["per_k"][k].update(sklearn_seconds=fit.seconds, sklearn_sse=found.sse,
                                   sklearn_mse=found.mse)
            note(f"{path.name} k={k}: kmquant {row['per_k'][k]['kmquant_seconds']:.4f} s, "
                 f"sklearn-1 {fit.seconds:.3f} s")
    except Exception as failure:  # noqa: BLE001 — as in measure(): recorded, not fatal
        row["error"] = f"{type(failure).__name__}: {failure}"
        note(f"{path.name}: FAILED: {row['error']}")
        return row
    per_k = row["per_k"].values()
    row.update(ok=True, sweep_wall_seconds=result.seconds, peak_rss_mb=result.peak_rss_mb,
               kmquant_kmeans_seconds=report["quantize_seconds"],
               kmquant_per_k_sum=sum(v["kmquant_seconds"] for v in per_k),
               sklearn_seconds=sum(v["sklearn_seconds"] for v in per_k),
               worse_ks=[k for k, v in row["per_k"].items() if v["kmquant_sse"] > v["sklearn_sse"]])
    row["ratio"] = (row["sklearn_seconds"] / row["kmquant_kmeans_seconds"]
                    if row["kmquant_kmeans_seconds"] > 0 else math.inf)
    row["mse_not_worse"] = not row["worse_ks"]
    return row


def run_sweep(args, tools, images, scratch):
    from peers_report import sweep_markdown
    names = {t.name: t for t in tools}
    if "kmquant" not in names or "sklearn-1" not in names:
        note("--sweep needs kmquant and sklearn-1 (python3-sklearn)")
        sys.exit(2)
    skipped = []
    per_image = [sweep_one(args, path, original, scratch, names["sklearn-1"])
                 for path, original in load_images(images, skipped)]
    done = [r for r in per_image if r["ok"]]
    per_k = {k: {"kmquant_mean_mse": sum(r["per_k"][k]["kmquant_mse"] for r in done) / len(done),
                 "sklearn_mean_mse": sum(r["per_k"][k]["sklearn_mse"] for r in done) / len(done),
                 "not_worse": sum(r["per_k"][k]["kmquant_sse"] <= r["per_k"][k]["sklearn_sse"]
                                  for r in done),
                 "images": len(done)} for k in args.ks} if done else {}
    legend = ["kmquant k-means s: the wall time of the sweep's k-means work, `quantize_seconds` of "
              "`kmquant sweep --json` (colour counting, summaries, seeding, Lloyd, palette, remap "
              "for every k, the ks side by side on all threads; no decoding or writing). Σ per k: "
              "the sum of the ks' own `seconds`, which overlap (until 2026-12-04 the ratio was "
              "taken against this sum). sklearn-1: "
              "`KMeans(k, n_init=1).fit(X).predict(X)` on float64 pixels, summed over k. ratio: "
              "sklearn-1 ÷ kmquant. Sweep wall: the whole `kmquant sweep` process, every file and "
              "the figure written; peak MB: its maximum resident set, as GNU time reports it. "
              "MSE recomputed by peers.py from the written PNGs."]
    tool_versions = versions([names["kmquant"], names["sklearn-1"]], args.kmquant)
    used = [Path(r["image"]) for r in per_image]
    text = sweep_markdown(per_image, per_k, header("Sweep: kmquant's k-means vs scikit-learn",
                                                   used, skipped, args.ks, tool_versions), legend)
    return text, {"mode": "sweep", "per_image": per_image, "per_k": per_k,
                  "versions": tool_versions, "skipped": skipped}, len(done) < len(per_image)


def finite(value):
    """JSON has no infinity: a lossless PSNR (or an infinite ratio) is written as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(item) for item in value]
    return value


def main():
    check_core_requirements()
    from peers_tools import TOOLS
    args = parse_args([t.name for t in TOOLS])
    images = list_images(args.paths)
    if args.sweep:
        args.tools = ["kmquant", "sklearn-1"]
    tools = runnable_tools(args.tools, args.kmquant)
    if not tools:
        note("none of the chosen tools can run")
        return 2
    with tempfile.TemporaryDirectory(prefix="kmquant-peers-") as scratch:
        mode = run_sweep if args.sweep else run_compare
        text, raw, kmquant_failed = mode(args, tools, images, Path(scratch))
    print(text)
    if args.json:
        raw.update(date=datetime.datetime.now().isoformat(timespec="seconds"), cpu=cpu_name(),
                   cpus=os.cpu_count(), ks=args.ks, seed=args.seed, command=sys.argv)
        args.json.write_text(json.dumps(finite(raw), indent=1, default=str, allow_nan=False))
        note(f"wrote {args.json}")
    return 1 if kmquant_failed else 0


if __name__ == "__main__":
    sys.exit(main())
