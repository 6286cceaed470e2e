#!/usr/bin/python3
"""The report of bin/bench-e2e: tables in markdown and everything in JSON, from a result directory.

    /usr/bin/python3 jobs/src/test/python/bench_e2e_report.py --dir runs/bench-e2e/<time> \\
        --out-md result.md --out-json result.json

Reads DIR/info.txt, DIR/commands.txt and per step DIR/<step>/step.json (wall time, load, CPU
pressure, peak RSS), log.txt, and the train metrics (model.safetensors.metrics.jsonl) or the PyTorch
result (torch.json). Steps that did not run are left out. Standard library only.
"""
import argparse
import json
import math
import os
import re
import sys

ADAM_BUFFERS = 2  # exp_avg and exp_avg_sq: the flat state is (1 + 2) x P floats per shard
DRIVER_AVERAGE_MAX_BYTES = 64 << 20  # SparkAveragingLoop: up to this, the driver averages the collected states


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def read_lines(path):
    try:
        with open(path) as f:
            return f.read().splitlines()
    except OSError:
        return []


def read_info(path):
    info = {}
    for line in read_lines(path):
        if "=" in line:
            k, v = line.split("=", 1)
            info[k] = v
    return info


def lstm_parameters(i, h, layers=1, out=1):
    p = 0
    for layer in range(layers):
        width = i if layer == 0 else h
        p += 4 * h * (width + h) + 8 * h
    return p + h * out + out


def seconds_of(hms):
    h, m, s = (int(x) for x in hms.split(":"))
    return 3600 * h + 60 * m + s


def log_phases(lines):
    """Times (s) between log lines of a train run: Spark start, rows decoded, end."""
    marks = {}
    for line in lines:
        m = re.match(r"(\d\d:\d\d:\d\d) INFO\s+(.*)", line)
        if not m:
            continue
        t, text = seconds_of(m.group(1)), m.group(2)
        if text.startswith("starting Spark"):
            marks.setdefault("spark", t)
        elif text.startswith("training on"):
            marks["decoded"] = t
        elif text.startswith("kernels on the driver:"):
            marks["kernels"] = text.split(":", 1)[1].strip()
        elif text.startswith("wrote model"):
            marks["trained"] = t
        elif re.match(r"spark-lstm \w+ done in", text):
            marks["done"] = float(re.search(r"done in ([\d.]+) s", text).group(1))
        elif text.startswith("predict: wrote"):
            marks["predict_seconds"] = float(re.search(r"in ([\d.]+) s$", text).group(1))
        elif text.startswith("generate: wrote"):
            marks["generate_seconds"] = float(re.search(r"in ([\d.]+) s$", text).group(1))
        elif text.startswith("export: wrote"):
            marks["export_seconds"] = float(re.search(r"in ([\d.]+) s$", text).group(1))
            marks["export_mb"] = float(re.search(r": ([\d.]+) MB", text).group(1))
    if "spark" in marks and "decoded" in marks:
        marks["decode_seconds"] = (marks["decoded"] - marks["spark"]) % 86400
    return marks


def fmt(v, digits=1):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    if isinstance(v, float):
        return f"{v:,.{digits}f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def mib(b):
    return None if not b else b / 2 ** 20


def load_note(step):
    if not step:
        return "-"
    quiet = "" if step.get("quiet", "yes") == "yes" else " **busy**"
    return (f"{step['loadavg_before'].split()[0]} / {step['loadavg_after'].split()[0]}, "
            f"{100 * step['cpu_pressure']:.0f}%{quiet}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--out-md", required=True)
    ap.add_argument("--out-json", required=True)
    args = ap.parse_args()
    d = args.dir
    info = read_info(os.path.join(d, "info.txt"))
    rows = int(info.get("rows", 0))
    inputs, hidden = int(info.get("input_size", 8)), int(info.get("hidden_size", 128))
    workers = int(info.get("workers", 2))
    doc = dict(info=info, commands=read_lines(os.path.join(d, "commands.txt")), steps={})

    steps = sorted(s for s in os.listdir(d) if os.path.isfile(os.path.join(d, s, "step.json")))
    kernels = None
    for s in steps:
        sd = os.path.join(d, s)
        st = read_json(os.path.join(sd, "step.json")) or {}
        entry = dict(step=st, log=log_phases(read_lines(os.path.join(sd, "log.txt"))))
        entry["command"] = " ".join(read_lines(os.path.join(sd, "command.txt"))).strip()
        metrics = [json.loads(line) for line in read_lines(os.path.join(sd, "model.safetensors.metrics.jsonl"))
                   if line.strip()]
        if metrics:
            entry["metrics"] = metrics
            kernels = kernels or entry["log"].get("kernels")
        torch = read_json(os.path.join(sd, "torch.json"))
        if torch:
            entry["torch"] = torch
        out_bytes = read_lines(os.path.join(sd, "output_bytes.txt"))
        if out_bytes:
            entry["output_bytes"] = int(out_bytes[0])
        doc["steps"][s] = entry
    S = doc["steps"]

    md = ["# End-to-end benchmark", ""]
    md.append(f"- Command: `{doc['commands'][-1] if doc['commands'] else 'bin/bench-e2e'}`"
              + (f" (resumed; all: {'; '.join(f'`{c}`' for c in doc['commands'])})" if len(doc["commands"]) > 1
                 else ""))
    md.append(f"- Machine: {info.get('cpu')}, {info.get('cores')} cores, {info.get('memory_gib')} GiB; "
              f"{info.get('os')}, Linux {info.get('kernel')}")
    md.append(f"- Java: {info.get('java')}; heap (SPARK_LSTM_DRIVER_MEMORY) {info.get('heap')}; "
              f"kernels: {kernels or '-'}")
    md.append(f"- OpenBLAS: {info.get('openblas_library')}; PyTorch {info.get('torch')}")
    md.append(f"- Git: {info.get('git_commit')}; load average at the end: {info.get('loadavg_end', '-')}")
    md.append(f"- Data: {rows:,} windows of T = {info.get('steps')} steps x I = {inputs} features, label = the "
              f"next value of feature 0 (generate.kind = windows); model nn.LSTM({inputs}, {hidden}) + "
              f"nn.Linear({hidden}, 1), {lstm_parameters(inputs, hidden):,} parameters; MSE, Adam lr 0.001, "
              f"clip 1.0, batch {info.get('batch')} per worker, {workers} workers, reshuffled every epoch")
    md.append("- Load: `load before / after` is the 1-minute load average before and after the step; the % is "
              "its CPU pressure (Linux PSI some: the share of its time in which a runnable task waited for a "
              "CPU). **busy** = the machine did not get quiet within the wait; read those numbers with care.")
    md.append("")

    # ---- epochs
    md += ["## Training epochs", "",
           "Epoch 2 is the warm epoch (the JIT has compiled the kernels; the rows are decoded and cached). "
           "For train: placement = placing the reshuffled rows into shards and caching the packed batches; "
           "compute = per round, the slowest shard's training; averaging = the rest of each round "
           "(broadcast, reduce, scheduling). GC = the JVM's collection time during the epoch.", "",
           "| run | epoch 1 s | epoch 2 s | seq/s (epoch 2) | placement s | compute s | averaging s "
           "(% of epoch) | rounds | GC s (ep. 1 / 2) | peak RSS MiB | whole command s | load before / after, "
           "pressure |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    summary = {}
    for t in (1, 2):
        e = S.get(f"torch-{t}")
        if e and "torch" in e:
            ep = e["torch"]["epochs"][-1]
            summary[f"torch-{t}"] = dict(seconds=ep["seconds"], sps=ep["sequences_per_second"])
            md.append(f"| PyTorch, {t} thread{'s' if t > 1 else ''} | - | {fmt(ep['seconds'])} | "
                      f"{fmt(ep['sequences_per_second'], 0)} | - | - | - | - | - | "
                      f"{fmt(mib(e['step'].get('peak_rss_bytes')), 0)} | {fmt(e['step'].get('wall_seconds'))} | "
                      f"{load_note(e['step'])} |")
    for name, label in (("train-local2-k0", "train local[2], k = 0"), ("train-local2-k32", "train local[2], k = 32"),
                        ("train-local1-k0", "train local[1], k = 0"), ("train-local1-k32", "train local[1], k = 32"),
                        ("train-local1-k0-blas2", "train local[1] + 2 BLAS threads, k = 0")):
        e = S.get(name)
        if not e or "metrics" not in e:
            continue
        m = e["metrics"]
        last = m[-1]
        gc = " / ".join(fmt(x.get("driver_gc_seconds")) for x in m)
        summary[name] = dict(seconds=last["seconds"], sps=last["sequences_per_second"],
                             averaging_share=last["averaging_seconds"] / last["seconds"])
        md.append(f"| {label} | {fmt(m[0]['seconds'])} | {fmt(last['seconds'])} | "
                  f"{fmt(last['sequences_per_second'], 0)} | {fmt(last.get('placement_seconds'))} | "
                  f"{fmt(last['compute_seconds'])} | {fmt(last['averaging_seconds'])} "
                  f"({100 * last['averaging_seconds'] / last['seconds']:.1f}%) | {last['rounds']} | {gc} | "
                  f"{fmt(mib(e['step'].get('peak_rss_bytes')), 0)} | {fmt(e['step'].get('wall_seconds'))} | "
                  f"{load_note(e['step'])} |")
    md.append("")
    setup = []
    for name in ("train-local2-k0", "train-local2-k32", "train-local1-k0", "train-local1-k32"):
        e = S.get(name)
        if e and "decode_seconds" in e["log"]:
            setup.append(f"{name} {e['log']['decode_seconds']:.0f} s")
    if setup:
        md += ["Before the first epoch, train reads, decodes and caches the rows (from `starting Spark` to "
               "`training on N rows` in the log): " + ", ".join(setup) + ".", ""]

    # ---- targets (listed at the end)
    targets = []
    best_torch = min((v for k, v in summary.items() if k.startswith("torch")), key=lambda v: v["seconds"],
                     default=None)
    for k in ("train-local2-k0", "train-local2-k32"):
        if best_torch and k in summary:
            ratio = best_torch["seconds"] / summary[k]["seconds"]
            targets.append(dict(target=f"{k} epoch faster than PyTorch's best", value=ratio, limit=1.0,
                                text=f"{summary[k]['seconds']:.1f} s vs {best_torch['seconds']:.1f} s: "
                                     f"{ratio:.2f}x PyTorch's speed", passed=ratio > 1.0))
    for k in ("k0", "k32"):
        a, b = summary.get(f"train-local2-{k}"), summary.get(f"train-local1-{k}")
        if a and b:
            ratio = a["sps"] / b["sps"]
            targets.append(dict(target=f"local[2] >= 1.8x local[1] ({k.replace('k', 'k = ')})", value=ratio,
                                limit=1.8, text=f"{a['sps']:.0f} vs {b['sps']:.0f} seq/s: {ratio:.2f}x",
                                passed=ratio >= 1.8))

    a, b = summary.get("train-local2-k0"), summary.get("train-local1-k0-blas2")
    if a and b:
        ratio = a["sps"] / b["sps"]
        targets.append(dict(target="2 tasks x 1 BLAS thread against 1 task x 2 BLAS threads (k = 0; not a target)",
                            value=ratio, limit=None,
                            text=f"{a['sps']:.0f} vs {b['sps']:.0f} seq/s: {ratio:.2f}x", passed=None))

    # ---- averaging overhead
    avg_rows = []
    for name, e in S.items():
        if "metrics" not in e:
            continue
        cmd = e["command"]
        h = re.search(r"model\.lstm\.hidden-size=(\d+)", cmd)
        h = int(h.group(1)) if h else hidden
        p = lstm_parameters(inputs, h)
        state = 4 * (1 + ADAM_BUFFERS) * p
        moved = (2 * workers + 1) * state
        where = "driver" if workers * state <= DRIVER_AVERAGE_MAX_BYTES else "executors"
        last = e["metrics"][-1]
        r = last["rounds"]
        per_round = last["averaging_seconds"] / r
        share = last["averaging_seconds"] / last["seconds"]
        avg_rows.append(dict(step=name, where=where, hidden=h, parameters=p, state_bytes=state, bytes_per_round=moved,
                             rows=last["sequences"], k=int(re.search(r"averaging-frequency=(\d+)", cmd).group(1))
                             if "averaging-frequency=" in cmd else None,
                             rounds=r, seconds=last["seconds"], compute=last["compute_seconds"],
                             averaging=last["averaging_seconds"], per_round=per_round, share=share,
                             placement=last.get("placement_seconds")))
    avg_rows.sort(key=lambda x: (x["parameters"], x["rows"], x["k"] or 0))
    md += ["## Averaging overhead", "",
           f"Per round the driver broadcasts the state, (1 + {ADAM_BUFFERS} Adam buffers) x P floats = 12 P "
           f"bytes, to the executors; each of the W = {workers} shards returns its new state; the mean is "
           "taken by the driver when all shards' states together are at most 64 MiB (one stage), else in "
           "slices by reducers on the executors (a shuffle stage), the driver collecting one state: about "
           "(2W + 1) x 12 P bytes moved per round either way. Epoch 2 of each run; the averaging runs "
           "train on the first rows of the same data (`data.train.filter = id < n`).", "",
           "| run | H | parameters P | MB moved per round | averaged on | rows | k | rounds | epoch s | "
           "compute s | averaging s | averaging s per round | % of epoch | load before / after, pressure |",
           "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for a in avg_rows:
        md.append(f"| {a['step']} | {a['hidden']} | {a['parameters']:,} | {a['bytes_per_round'] / 1e6:.1f} | "
                  f"{a['where']} | {a['rows']:,} | {a['k']} | {a['rounds']} | {a['seconds']:.1f} | {a['compute']:.1f} | "
                  f"{a['averaging']:.2f} | {a['per_round']:.3f} | {100 * a['share']:.1f}% | "
                  f"{load_note(S[a['step']]['step'])} |")
    md.append("")
    for a in avg_rows:
        if a["step"] == "avg-1m-k32":
            targets.append(dict(target="averaging <= 5% of an epoch at 1 M parameters (k = 32)",
                                value=a["share"], limit=0.05,
                                text=f"{100 * a['share']:.1f}% ({a['averaging']:.2f} s of {a['seconds']:.1f} s, "
                                     f"{a['rounds']} rounds)", passed=a["share"] <= 0.05))
        if a["step"] == "avg-1m-k8":
            targets.append(dict(target="averaging at 1 M parameters, k = 8 (stress, not a target)",
                                value=a["share"], limit=None,
                                text=f"{100 * a['share']:.1f}% ({a['averaging']:.2f} s of {a['seconds']:.1f} s, "
                                     f"{a['rounds']} rounds)", passed=None))

    # ---- predict and data preparation
    e = S.get("predict")
    if e:
        secs = e["log"].get("predict_seconds")
        md += ["## predict", "",
               "| rows | work s (`predict: wrote ... in`) | rows/s | whole command s | output MB | peak RSS MiB | "
               "load before / after, pressure |", "|---:|---:|---:|---:|---:|---:|---|",
               f"| {rows:,} | {fmt(secs)} | {fmt(rows / secs if secs else None, 0)} | "
               f"{fmt(e['step'].get('wall_seconds'))} | {fmt((e.get('output_bytes') or 0) / 1e6, 0)} | "
               f"{fmt(mib(e['step'].get('peak_rss_bytes')), 0)} | {load_note(e['step'])} |", "",
               "local[2], predict.batch-size 256, parquet output that keeps the input columns (the features are "
               "written again) and adds `prediction`.", ""]
        doc["predict"] = dict(rows=rows, seconds=secs, rows_per_second=rows / secs if secs else None)
    prep = []
    for name in ("generate", "export"):
        e = S.get(name)
        if e:
            secs = e["log"].get(f"{name}_seconds")
            prep.append(f"| {name} | {fmt(secs)} | {fmt(e['step'].get('wall_seconds'))} | "
                        f"{fmt(mib(e['step'].get('peak_rss_bytes')), 0)} | {load_note(e['step'])} |")
    if prep:
        md += ["## Data preparation (once, cached)", "",
               "| step | work s | whole command s | peak RSS MiB | load before / after, pressure |",
               "|---|---:|---:|---:|---|"] + prep + [""]

    md += ["## Against the targets", "", "| target | measured | result |", "|---|---|---|"]
    for t in targets:
        res = "-" if t["passed"] is None else ("PASS" if t["passed"] else "FAIL")
        md.append(f"| {t['target']} | {t['text']} | {res} |")
    md.append("")

    doc.update(summary=summary, targets=targets, averaging=avg_rows)
    text = "\n".join(md)
    with open(args.out_md, "w") as f:
        f.write(text + "\n")
    with open(args.out_json, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(text)


if __name__ == "__main__":
    sys.exit(main())
