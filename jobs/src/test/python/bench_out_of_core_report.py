"""The table of bin/bench-out-of-core: reads DIR/<run>/ (metrics, samples.tsv, run.json, log.txt) for
the runs fit, spill, half and big, and prints docs/PERFORMANCE.md's "Data larger than memory" table with the
issue's targets checked. Plain Python 3, no third-party modules.

The placement (decoding the rows, placing and caching them) runs once, before epoch 1: the metrics'
placement_seconds, not part of the epoch's seconds (builds before the one-pass placement counted it in
the epoch)."""
import json
import pathlib
import sys


def run_figures(d):
    run = json.loads((d / "run.json").read_text())
    lines = [json.loads(x) for x in (d / "model.safetensors.metrics.jsonl").read_text().splitlines() if x.strip()]
    m = lines[-1]
    rows = [r.split("\t") for r in (d / "samples.tsv").read_text().splitlines()[1:]]

    def peak(col):
        vals = [int(r[col]) for r in rows if len(r) > col and r[col].strip().isdigit()]
        return max(vals) if vals else 0

    log_line = next((x.split("INFO  ", 1)[-1] for x in (d / "log.txt").read_text().splitlines()
                     if "training data:" in x), "")
    return {
        "rows": run["rows"], "wall": run["wall_seconds"], "load": run["loadavg_before"],
        "seq_s": m["sequences_per_second"], "epoch_s": m["seconds"], "placement_s": m["placement_seconds"],
        "compute_s": m["compute_seconds"], "averaging_s": m["averaging_seconds"], "rounds": m["rounds"],
        "round_start": m["round_seconds_start"], "round_end": m["round_seconds_end"],
        "cache_mem": m["cache_memory_bytes"], "cache_disk": m["cache_disk_bytes"],
        "blocks_read": m["blocks_read_bytes"], "disk_read": peak(1), "disk_write": peak(2),
        "rss": peak(3) * 1024, "local_dir": peak(4), "log": log_line,
    }


def mib(b):
    return f"{b / 2**20:,.0f}"


def main(out):
    out = pathlib.Path(out)
    info = dict(x.split("=", 1) for x in (out / "info.txt").read_text().splitlines() if "=" in x)
    runs = {n: run_figures(out / n) for n in ("fit", "spill", "half", "big") if (out / n / "run.json").exists()}
    print(f"Machine: {info.get('cpu')}, {info.get('cores')} cores, {info.get('memory_gib')} GiB; heap "
          f"{info.get('heap')}; {info.get('java')}; commit {info.get('git_commit')}.\n")
    print("| run | rows | seq/s | epoch s | placement s | compute s | averaging s | rounds | round s start / end "
          "| cached MiB mem / disk | block MiB read | disk read MiB (process) | disk written MiB | spark.local.dir "
          "peak MiB | peak RSS MiB | load before |")
    print("|" + "---|" * 16)
    for n, r in runs.items():
        print(f"| {n} | {r['rows']:,} | {r['seq_s']:,.0f} | {r['epoch_s']:.1f} | {r['placement_s']:.1f} | "
              f"{r['compute_s']:.1f} | {r['averaging_s']:.1f} | {r['rounds']} | {r['round_start']:.3f} / "
              f"{r['round_end']:.3f} | {mib(r['cache_mem'])} / {mib(r['cache_disk'])} | {mib(r['blocks_read'])} | "
              f"{mib(r['disk_read'])} | {mib(r['disk_write'])} | {mib(r['local_dir'])} | {mib(r['rss'])} | "
              f"{r['load']} |")
    print()
    if "fit" in runs and "big" in runs:
        f, b = runs["fit"], runs["big"]
        def with_placement(r):
            return r["rows"] / (r["epoch_s"] + r["placement_s"])
        print(f"- big vs fit, seq/s: {b['seq_s'] / f['seq_s']:.1%} (target >= 90%); with the placement "
              f"(epoch plus placement): {with_placement(b) / with_placement(f):.1%}")
        print(f"- big, round time end / start: {b['round_end'] / b['round_start']:.3f} (target within 10%)")
    if "fit" in runs and "spill" in runs:
        f, s = runs["fit"], runs["spill"]
        print(f"- spill vs fit (same data, most blocks on disk), seq/s: {s['seq_s'] / f['seq_s']:.1%}; round time "
              f"end / start: {s['round_end'] / s['round_start']:.3f}")
    if "half" in runs and "big" in runs:
        h, b = runs["half"], runs["big"]
        print(f"- doubling {h['rows']:,} -> {b['rows']:,} rows: epoch x{b['epoch_s'] / h['epoch_s']:.3f}, "
              f"placement x{b['placement_s'] / h['placement_s']:.3f}, wall x{b['wall'] / h['wall']:.3f} "
              f"(target 2 within 10%)")
    for n, r in runs.items():
        print(f"- {n}: {r['log']}")


if __name__ == "__main__":
    main(sys.argv[1])
