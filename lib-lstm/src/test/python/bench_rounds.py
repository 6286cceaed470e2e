#!/usr/bin/python3
"""Sums up the rounds of `bin/bench-kernels --rounds N`: per case and mode, the Java / PyTorch ratio of
every round and their median, with the targets judged on the median.

    bench_rounds.py --command "bin/bench-kernels ..." --out-json result.json --out-md result.md \\
        [--compare previous/result.json] round-1/result.json round-2/result.json ...

Each round is a complete run of the grid (bench_report.py's result.json). The ratio used is the
per-CPU-second one (Java's benchmark thread against PyTorch's at 1 thread) when both sides have it,
else the wall-clock one; the peak fraction (targets at H >= 512) is the median of the rounds' too.
With --compare (a single run's result.json), a case whose median Java score is more than 10% below the
saved one is a regression: listed, and the exit code is 2 (a single round's drift does not count).
The result.json it writes can itself be a --compare baseline (here and for a single run): its rows
carry the median Java scores as java_seq_s / java_cpu_seq_s, and sgemm_peak the median peaks.
Standard library only.
"""
import argparse
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_report import MODES, REGRESSION, median, parse_case, target_of, verdict, write_and_judge  # noqa: E402


def round_number(path):
    match = re.search(r"round-(\d+)", path)
    return int(match.group(1)) if match else 0


def first(row, *names):
    """The first of the named values that the row has (CPU-time before wall-clock), or None."""
    return next((row.get(n) for n in names if row and row.get(n) is not None), None)


def summarize(docs):
    """One row per (case, mode) in the first round's order, with every round's values."""
    keys = [(r["case"], r["mode"]) for r in docs[0]["rows"]]
    rows = []
    for case, mode in keys:
        per_round = [next((r for r in d["rows"] if r["case"] == case and r["mode"] == mode), None) for d in docs]
        present = [r for r in per_round if r]

        def values(*names):
            return [v for v in (first(r, *names) for r in present) if v is not None]

        def median_of(*names):
            v = values(*names)
            return median(v) if v else None

        min_ratio, min_fraction, label = target_of(parse_case(case), mode)
        row = dict(case=case, mode=mode, target=label, rounds=len(present),
                   ratios=[first(r, "cpu_ratio_torch1", "ratio_torch1") for r in per_round],
                   ratio_median=median_of("cpu_ratio_torch1", "ratio_torch1"),
                   java_seq_s_median=median_of("java_cpu_seq_s", "java_seq_s"),
                   java_seq_s=median_of("java_seq_s"),
                   java_cpu_seq_s=median_of("java_cpu_seq_s"),
                   torch1_seq_s=values("torch1_cpu_seq_s", "torch1_seq_s"),
                   ceiling_median=median_of("cpu_ceiling"),
                   peak_fraction_median=median_of("cpu_peak_fraction", "peak_fraction"))
        row["passes"] = sum(1 for r in present
                            if verdict(first(r, "cpu_ratio_torch1", "ratio_torch1"), min_ratio,
                                       first(r, "cpu_peak_fraction", "peak_fraction"), min_fraction) == "PASS")
        row["result"] = verdict(row["ratio_median"], min_ratio, row["peak_fraction_median"], min_fraction)
        rows.append(row)
    return rows


def compare(rows, baseline_path):
    """The median Java score of each row against a saved single run (CPU-time scores when both have them)."""
    with open(baseline_path) as f:
        base = json.load(f)
    previous = {(r["case"], r["mode"]): r for r in base["rows"]}
    out = []
    for r in rows:
        p = previous.get((r["case"], r["mode"]))
        cpu = r["java_cpu_seq_s"] is not None and p is not None and p.get("java_cpu_seq_s") is not None
        now = r["java_cpu_seq_s"] if cpu else r["java_seq_s"]
        prev = (p.get("java_cpu_seq_s") if cpu else p.get("java_seq_s")) if p else None
        if now and prev:
            out.append(dict(case=r["case"], mode=r["mode"], previous=prev, now=now,
                            regression=now < (1 - REGRESSION) * prev))
    return dict(baseline=baseline_path, baseline_timestamp=base.get("timestamp"), rows=out,
                regressions=[c for c in out if c["regression"]])


def fmt(v, pattern):
    return "-" if v is None else pattern.format(v)


def markdown(doc):
    n = len(doc["rounds"])
    out = [f"Kernel benchmarks, {n} rounds", "", f"- Command: `{doc['command']}`"]
    for r in doc["rounds"]:
        m = r["machine"]
        out.append(f"- Round {r['round']}: finished {r['timestamp']}, load average before/after "
                   f"{m.get('loadavg_before', '?')} / {m.get('loadavg_after', '?')}, Java SGEMM peak per CPU-s "
                   + ", ".join(f"n={k}: {v:.1f}" for k, v in r["sgemm_cpu_gflops"].items()) + " GFLOP/s")
    first = doc["rounds"][0]["machine"]
    out.append(f"- CPU: {first.get('cpu_model', '?')}, {first.get('cores', '?')} cores; kernels: "
               f"{first.get('kernels', '?')}; PyTorch {first.get('torch', '-')}")
    out.append("")
    for mode, title in MODES:
        out.append(f"**{title}**: Java / PyTorch at 1 thread per round (per CPU-second), the median of the "
                   "rounds, and the target judged on the median (\"passes in\": rounds that met it alone)")
        out.append("")
        out.append("| case | " + " | ".join(f"round {i + 1}" for i in range(n))
                   + " | median | Java seq/CPU-s (median) | PyTorch 1t seq/CPU-s (rounds) | ceiling (median) "
                   "| target | result | passes in |")
        out.append("|---|" + "---:|" * n + "---:|---:|---|---:|---|---|---:|")
        for r in doc["rows"]:
            if r["mode"] != mode:
                continue
            result = r["result"] + (f" ({100 * r['peak_fraction_median']:.0f}% peak)"
                                    if r["peak_fraction_median"] is not None else "")
            out.append(f"| {r['case']} | " + " | ".join(fmt(x, "{:.2f}") for x in r["ratios"])
                       + f" | **{fmt(r['ratio_median'], '{:.2f}')}** | {fmt(r['java_seq_s_median'], '{:.0f}')} "
                       f"| {', '.join(f'{x:.0f}' for x in r['torch1_seq_s']) or '-'} "
                       f"| {fmt(r['ceiling_median'], '{:.2f}')} | {r['target']} | {result} "
                       f"| {r['passes']} of {r['rounds']} |")
        out.append("")
    met = sum(1 for r in doc["rows"] if r["result"] == "PASS")
    out.append(f"Targets met on the median: {met} of {len(doc['rows'])}.")
    out.append("")
    cmp = doc.get("compare")
    if cmp:
        out.append(f"**Compared with** `{cmp['baseline']}` ({cmp['baseline_timestamp']}): the median Java "
                   f"seq/CPU-s of the rounds; regression = more than {int(100 * REGRESSION)}% slower")
        out.append("")
        out.append("| case | mode | previous | now (median) | change | |")
        out.append("|---|---|---:|---:|---:|---|")
        for c in cmp["rows"]:
            out.append(f"| {c['case']} | {c['mode']} | {c['previous']:.0f} | {c['now']:.0f} "
                       f"| {100 * (c['now'] / c['previous'] - 1):+.1f}% | {'REGRESSION' if c['regression'] else ''} |")
        out.append("")
        out.append(f"{len(cmp['regressions'])} regression(s).")
        out.append("")
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("rounds", nargs="+", help="the rounds' result.json files")
    parser.add_argument("--command", default="")
    parser.add_argument("--out-json", required=True)
    parser.add_argument("--out-md", required=True)
    parser.add_argument("--compare", help="a saved single run's result.json")
    args = parser.parse_args()
    paths = sorted(args.rounds, key=round_number)
    docs = []
    for path in paths:
        with open(path) as f:
            docs.append(json.load(f))
    peaks = {}
    for n in docs[0]["sgemm_peak"]["java"]:
        runs = [d["sgemm_peak"]["java"].get(n, {}) for d in docs]
        peaks[n] = {key: median([g[key] for g in runs if g.get(key) is not None])
                    for key in ("gflops", "cpu_gflops") if any(g.get(key) is not None for g in runs)}
    doc = dict(format="spark-lstm bench-kernels rounds 1", command=args.command,
               timestamp=docs[0]["timestamp"], machine=docs[0]["machine"], sgemm_peak=dict(java=peaks),
               rounds=[dict(round=round_number(p), path=p, timestamp=d["timestamp"], machine=d["machine"],
                            sgemm_cpu_gflops={k: v.get("cpu_gflops") or v.get("gflops")
                                              for k, v in d["sgemm_peak"]["java"].items()})
                       for p, d in zip(paths, docs)],
               rows=summarize(docs))
    if args.compare:
        doc["compare"] = compare(doc["rows"], args.compare)
    write_and_judge(doc, markdown(doc), args.out_json, args.out_md, args.compare)


if __name__ == "__main__":
    main()
