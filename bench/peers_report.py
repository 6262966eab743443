"""Summaries of peers.py's raw measurements, and their Markdown tables.

Raw records are dicts, one per (image, tool, k): ok, error, seconds, sse, mse, psnr, colors.
Comparisons between tools use the exact integer sse, so "kmquant ≤ peer" has no rounding.
"""
import math
import statistics

KMQUANT = "kmquant"


def fmt_seconds(seconds):
    if seconds is None:
        return "—"
    for limit, digits in ((0.1, 4), (1, 3), (10, 2)):
        if seconds < limit:
            return f"{seconds:.{digits}f}"
    return f"{seconds:.1f}"


def fmt_ratio(ratio):
    if ratio is None or math.isnan(ratio):
        return "—"
    digits = 0 if ratio >= 100 else 1 if ratio >= 10 else 2
    return f"{ratio:.{digits}f}×"


def plural(count, word):
    return f"{count} {word}{'' if count == 1 else 's'}"


def fmt_number(value, digits):
    if value is None:
        return "—"
    return "inf" if math.isinf(value) else f"{value:.{digits}f}"


def by_image(records, tool, k):
    """The successful runs of one tool at one k, by image."""
    return {r["image"]: r for r in records if r["tool"] == tool and r["k"] == k and r["ok"]}


def median_ratio(numerators, denominators):
    common = numerators.keys() & denominators.keys()
    ratios = [numerators[i]["seconds"] / denominators[i]["seconds"] for i in common
              if denominators[i]["seconds"] > 0]
    return statistics.median(ratios) if ratios else None


def mean_ratio(numerators, denominators, key):
    common = sorted(numerators.keys() & denominators.keys())
    if not common:
        return None
    below = statistics.fmean(denominators[i][key] for i in common)
    return statistics.fmean(numerators[i][key] for i in common) / below if below > 0 else math.inf


def tool_summary(records, tool, k, images):
    """One row of a k's table: ok count, median time, means, and the ratios to kmquant (time:
    median of per-image ratios; MSE: ratio of the means over the images both succeeded on)."""
    runs = by_image(records, tool, k)
    reference = by_image(records, KMQUANT, k)
    values = list(runs.values())
    return {
        "tool": tool, "ok": len(runs), "images": len(images),
        "median_seconds": statistics.median(r["seconds"] for r in values) if values else None,
        "mean_mse": statistics.fmean(r["mse"] for r in values) if values else None,
        "mean_psnr": statistics.fmean(r["psnr"] for r in values) if values else None,
        "time_ratio": median_ratio(runs, reference) if reference else None,
        "mse_ratio": mean_ratio(runs, reference, "mse") if reference else None,
        "kmquant_not_worse": (sum(reference[i]["sse"] <= runs[i]["sse"]
                                  for i in runs.keys() & reference.keys())
                              if reference and tool != KMQUANT else None),
        "compared": len(runs.keys() & reference.keys()),
    }


def best_peer_wins(records, peers, k):
    """Per image: does kmquant's error stay at or below the lowest of the peers' that ran?
    Returns (wins, images compared, losses as (image, best peer, its mse, kmquant's mse))."""
    reference = by_image(records, KMQUANT, k)
    peer_runs = {peer: by_image(records, peer, k) for peer in peers}
    wins, compared, losses = 0, 0, []
    for image, ours in sorted(reference.items()):
        candidates = [(runs[image]["sse"], peer, runs[image]["mse"])
                      for peer, runs in peer_runs.items() if image in runs]
        if not candidates:
            continue
        best_sse, best_peer, best_mse = min(candidates)
        compared += 1
        if ours["sse"] <= best_sse:
            wins += 1
        else:
            losses.append((image, best_peer, best_mse, ours["mse"]))
    return wins, compared, losses


def summarize(records, tools, ks, images):
    peers = [t for t in tools if t != KMQUANT]
    summary = {}
    for k in ks:
        wins, compared, losses = (best_peer_wins(records, peers, k) if KMQUANT in tools
                                  else (0, 0, []))
        summary[k] = {"tools": [tool_summary(records, t, k, images) for t in tools],
                      "best_peer_wins": wins, "best_peer_compared": compared,
                      "losses": [{"image": i, "best_peer": p, "peer_mse": pm, "kmquant_mse": km}
                                 for i, p, pm, km in losses]}
    return summary


def compare_markdown(summary, header, legend, failures):
    lines = header + [""]
    for k, entry in summary.items():
        lines += [f"### k = {k}", "",
                  "| tool | ok | time s (median) | time ÷ kmquant | mean MSE | MSE ÷ kmquant "
                  "| mean PSNR dB | kmquant MSE ≤ tool's |",
                  "|:--|--:|--:|--:|--:|--:|--:|--:|"]
        for row in entry["tools"]:
            not_worse = ("—" if row["kmquant_not_worse"] is None
                         else f"{row['kmquant_not_worse']}/{row['compared']}")
            lines.append(
                f"| {row['tool']} | {row['ok']}/{row['images']} "
                f"| {fmt_seconds(row['median_seconds'])} "
                f"| {fmt_ratio(row['time_ratio'])} | {fmt_number(row['mean_mse'], 2)} "
                f"| {fmt_number(row['mse_ratio'], 3)} | {fmt_number(row['mean_psnr'], 2)} "
                f"| {not_worse} |")
        if entry["best_peer_compared"]:
            lines += ["", f"kmquant's MSE ≤ the best peer's on {entry['best_peer_wins']} of "
                      f"{entry['best_peer_compared']} images."]
            for loss in entry["losses"]:
                lines.append(f"- {loss['image']}: {loss['best_peer']} {loss['peer_mse']:.3f} "
                             f"< kmquant {loss['kmquant_mse']:.3f}")
        lines.append("")
    if failures:
        lines += ["Failures (left out of the means):", ""]
        lines += [f"- {r['tool']}, {r['image']}, k = {r['k']}: {r['error']}" for r in failures]
        lines.append("")
    return "\n".join(lines + legend)


def sweep_markdown(per_image, per_k, header, legend):
    """The sweep target's table: per image, the wall time of kmquant's k-means work against
    scikit-learn's summed fit + predict, and whether kmquant's MSE is no higher at every k."""
    lines = header + ["",
                      "| image | kmquant k-means s | Σ per k s | sklearn-1 fit+predict s | ratio "
                      "| kmquant sweep wall s | peak MB | MSE ≤ sklearn-1 at every k |",
                      "|:--|--:|--:|--:|--:|--:|--:|:--|"]
    for row in per_image:
        if not row["ok"]:
            lines.append(f"| {row['image']} | failed: {row['error']} | | | | | | |")
            continue
        worse = ", ".join(map(str, row["worse_ks"]))
        verdict = "yes" if row["mse_not_worse"] else f"no: k = {worse}"
        lines.append(
            f"| {row['image']} | {fmt_seconds(row['kmquant_kmeans_seconds'])} "
            f"| {fmt_seconds(row['kmquant_per_k_sum'])} "
            f"| {fmt_seconds(row['sklearn_seconds'])} | {fmt_ratio(row['ratio'])} "
            f"| {fmt_seconds(row['sweep_wall_seconds'])} | {row['peak_rss_mb']:.0f} | {verdict} |")
    done = [r for r in per_image if r["ok"]]
    if done:
        ratios = [r["ratio"] for r in done]
        lines += ["", f"Median ratio {fmt_ratio(statistics.median(ratios))} (lowest "
                  f"{fmt_ratio(min(ratios))}) over {plural(len(done), 'image')}; "
                  "MSE ≤ sklearn-1 at every k "
                  f"on {sum(r['mse_not_worse'] for r in done)} of {len(done)}; median sweep wall "
                  f"{fmt_seconds(statistics.median(r['sweep_wall_seconds'] for r in done))} s.", "",
                  "| k | kmquant mean MSE | sklearn-1 mean MSE | kmquant ≤ sklearn-1 |",
                  "|--:|--:|--:|--:|"]
        for k, row in per_k.items():
            lines.append(f"| {k} | {row['kmquant_mean_mse']:.2f} | {row['sklearn_mean_mse']:.2f} "
                         f"| {row['not_worse']}/{row['images']} |")
    return "\n".join(lines + [""] + legend)
