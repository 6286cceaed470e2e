#!/usr/bin/python3
"""Merges the kernel benchmark results into one JSON file and a side-by-side markdown table.

Called by bin/bench-kernels (standard library only; any python3 works):
    bench_report.py --jmh jmh.json --torch1 torch-1.json --torch2 torch-2.json \\
        --info info.txt --command "bin/bench-kernels ..." --out-json result.json --out-md result.md \\
        [--compare previous/result.json]

Scores are the median of the measurement iterations (robust to an iteration disturbed by other load).
Units: one JMH/PyTorch operation is one batch of B sequences, so sequences/s = ops/s * B.
Effective GFLOP/s counts the GEMM work only (io.sparklstm.bench.BenchCase): forward
2 * T' * (4H * (I_l + H_out) + H * P) per sequence, layer and direction (T' its length), backward
twice that, so forward+backward is 3x forward.

Targets (Java on 1 thread over PyTorch on 1 thread, same run, same machine):
    forward+backward: H <= 128: >= 2x;  128 < H < 512: >= 1.5x;
                      H >= 512: >= 1.1x and >= 60% of Java's measured single-thread sgemm peak
    forward:          >= 1.5x everywhere
With --compare, a Java score more than 10% below the saved result is a regression: listed, and the
exit code is 2.
"""
import argparse
import datetime
import json
import os
import platform
import sys

REGRESSION = 0.10
MODES = (("forwardBackward", "forward+backward"), ("forward", "forward only"))


def parse_case(case_id):
    spec = dict(T=None, B=None, I=None, H=None, L=None, P=0, bi=False, var=False)
    for part in case_id.split("_"):
        if part in ("bi", "var"):
            spec[part] = True
        elif len(part) > 1 and part[0] in "TBIHLP" and part[1:].isdigit():
            spec[part[0]] = int(part[1:])
        else:
            raise ValueError(f"benchmark case {case_id}: unknown part {part}")
    return spec


def forward_flops_per_batch(spec):
    t, b, h, p = spec["T"], spec["B"], spec["H"], spec["P"]
    lengths = [t - (r * (t // 2)) // b if spec["var"] else t for r in range(b)]
    d = 2 if spec["bi"] else 1
    h_out = p if p > 0 else h
    per_row = 0.0
    for layer in range(spec["L"]):
        i_l = spec["I"] if layer == 0 else d * h_out
        per_row += d * 2.0 * (4.0 * h * (i_l + h_out) + h * p)
    return per_row * sum(lengths)


def target_of(spec, mode):
    """(minimum ratio over PyTorch 1 thread, minimum fraction of the sgemm peak or None, label)."""
    if mode == "forward":
        return 1.5, None, ">= 1.5x"
    h = spec["H"]
    if h <= 128:
        return 2.0, None, ">= 2x"
    if h < 512:
        return 1.5, None, ">= 1.5x"
    return 1.1, 0.6, ">= 1.1x, >= 60% peak"


def load_jmh(paths):
    cases, gemm = {}, {}
    for path in paths:
        with open(path) as f:
            results = json.load(f)
        for r in results:
            name = r["benchmark"].rsplit(".", 2)
            cls, method = name[-2], name[-1]
            raw = [v for fork in r["primaryMetric"]["rawData"] for v in fork]
            stats = dict(score=median(raw), mean=r["primaryMetric"]["score"], min=min(raw), max=max(raw),
                         raw=raw, error999=r["primaryMetric"]["scoreError"])
            if cls == "LstmBench":
                cases.setdefault(r["params"]["shape"], {})[method] = stats
            elif cls == "GemmBench":
                n = int(r["params"]["n"])
                stats["gflops"] = stats["score"] * 2.0 * n ** 3 / 1e9
                gemm[str(n)] = stats
    return cases, gemm


def median(values):
    v = sorted(values)
    return v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2


def load_json(path):
    if not path:
        return None
    with open(path) as f:
        return json.load(f)


def load_torch(paths):
    """Merges the PyTorch documents of one thread count (one per case, one for torch.mm)."""
    if not paths:
        return None
    merged = None
    for path in paths:
        doc = load_json(path)
        if merged is None:
            merged = dict(doc, cases={}, mm={}, env_per_file={})
        merged["cases"].update(doc.get("cases", {}))
        merged["mm"].update(doc.get("mm", {}))
        merged["env_per_file"][os.path.basename(path)] = doc.get("env")
    return merged


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def read_info(path):
    info = {}
    if path:
        with open(path) as f:
            for line in f:
                if "=" in line:
                    k, v = line.rstrip("\n").split("=", 1)
                    info[k] = v
    return info


def spread(stats):
    """(max - min) / median of the measurement iterations, in percent."""
    return 100.0 * (stats["max"] - stats["min"]) / stats["score"] if stats["score"] else 0.0


def build_rows(java_cases, torch1, torch2, java_peak):
    rows = []
    for case_id, modes in java_cases.items():
        spec = parse_case(case_id)
        fwd_flops = forward_flops_per_batch(spec)
        for mode, _ in MODES:
            if mode not in modes:
                continue
            j = modes[mode]
            flops = fwd_flops * (3 if mode == "forwardBackward" else 1)
            row = dict(case=case_id, mode=mode, batch=spec["B"], hidden=spec["H"],
                       java_seq_s=j["score"] * spec["B"], java_spread_pct=spread(j),
                       java_gflops=j["score"] * flops / 1e9, flops_per_batch=flops)
            for key, doc in (("torch1", torch1), ("torch2", torch2)):
                t = (doc or {}).get("cases", {}).get(case_id, {}).get(mode)
                row[key + "_seq_s"] = t["score"] * spec["B"] if t else None
                row[key + "_spread_pct"] = spread(t) if t else None
                row["ratio_" + key] = j["score"] / t["score"] if t else None
            min_ratio, min_peak, label = target_of(spec, mode)
            row["target"] = label
            checks = []
            if row["ratio_torch1"] is not None:
                checks.append(row["ratio_torch1"] >= min_ratio)
            if min_peak is not None:
                row["peak_fraction"] = row["java_gflops"] / java_peak if java_peak else None
                if java_peak:
                    checks.append(row["peak_fraction"] >= min_peak)
            row["result"] = "n/a" if not checks else ("PASS" if all(checks) else "FAIL")
            rows.append(row)
    return rows


def fmt(v, pattern="{:.0f}"):
    return "-" if v is None else pattern.format(v)


def markdown(doc):
    m = doc["machine"]
    out = []
    out.append(f"Kernel benchmarks, {doc['timestamp']}")
    out.append("")
    out.append(f"- Command: `{doc['command']}`")
    out.append(f"- CPU: {m['cpu_model']}, {m['cores']} cores; load average before/after: "
               f"{m.get('loadavg_before', '?')} / {m.get('loadavg_after', '?')}")
    out.append(f"- Java: {m.get('java', '?')} ({m.get('vm', '?')}); kernels: {m.get('kernels', '?')}")
    out.append(f"- OpenBLAS: {m.get('openblas_library', '?')} ({m.get('openblas_core', '?')}); env: "
               + ", ".join(f"{k}={v if v is not None else '(unset)'}" for k, v in m["env"].items()))
    envs = m.get("torch_env") or {}
    out.append(f"- PyTorch: {m.get('torch', '-')}; "
               + "; ".join(f"{t} thread(s): " + ", ".join(f"{k}={v}" for k, v in (envs.get(t) or {}).items()
                                                           if v is not None and k.startswith("OMP"))
                           for t in ("1", "2") if envs.get(t)))
    out.append(f"- Timing: {doc['timing']}")
    peaks = doc["sgemm_peak"]
    out.append("- Single-thread SGEMM peak (square n x n, GFLOP/s): Java Gemm "
               + ", ".join(f"n={n}: {r['gflops']:.1f}" for n, r in peaks["java"].items())
               + "; PyTorch torch.mm 1 thread "
               + ", ".join(f"n={n}: {r['gflops']:.1f}" for n, r in peaks.get("torch1", {}).items())
               + "; 2 threads "
               + ", ".join(f"n={n}: {r['gflops']:.1f}" for n, r in peaks.get("torch2", {}).items()))
    out.append("")
    for mode, title in MODES:
        out.append(f"**{title}** (Java on 1 thread; ratio = Java / PyTorch; spread = (max-min)/median "
                   "of the measurement iterations)")
        out.append("")
        out.append("| case | Java seq/s | spread | Java GFLOP/s | PyTorch 1t seq/s | PyTorch 2t seq/s "
                   "| Java/PT 1t | Java/PT 2t | target (vs 1t) | result |")
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---|---|")
        for r in doc["rows"]:
            if r["mode"] != mode:
                continue
            result = r["result"]
            if r.get("peak_fraction") is not None:
                result += f" ({100 * r['peak_fraction']:.0f}% peak)"
            out.append(f"| {r['case']} | {fmt(r['java_seq_s'])} | {fmt(r['java_spread_pct'], '{:.0f}%')} "
                       f"| {fmt(r['java_gflops'], '{:.1f}')} | {fmt(r['torch1_seq_s'])} | {fmt(r['torch2_seq_s'])} "
                       f"| {fmt(r['ratio_torch1'], '{:.2f}')} | {fmt(r['ratio_torch2'], '{:.2f}')} "
                       f"| {r['target']} | {result} |")
        out.append("")
    cmp = doc.get("compare")
    if cmp:
        out.append(f"**Compared with** `{cmp['baseline']}` ({cmp['baseline_timestamp']}, CPU "
                   f"{cmp['baseline_cpu']}); regression = Java more than {int(100 * REGRESSION)}% slower")
        out.append("")
        out.append("| case | mode | previous seq/s | now seq/s | change | |")
        out.append("|---|---|---:|---:|---:|---|")
        for c in cmp["rows"]:
            out.append(f"| {c['case']} | {c['mode']} | {c['previous']:.0f} | {c['now']:.0f} "
                       f"| {100 * (c['now'] / c['previous'] - 1):+.1f}% | {flag(c)} |")
        out.append("")
        out.append(f"{len(cmp['regressions'])} regression(s)."
                   + (" Machines differ: compare with care." if cmp["machine_differs"] else ""))
        out.append("")
    return "\n".join(out)


def flag(c):
    if not c["regression"]:
        return ""
    if c.get("best_iteration_within"):
        return "REGRESSION (best iteration within 10%: maybe load, rerun)"
    return "REGRESSION"


def compare(doc, baseline_path):
    base = load_json(baseline_path)
    previous = {(r["case"], r["mode"]): r for r in base["rows"]}
    rows, regressions = [], []
    for r in doc["rows"]:
        p = previous.get((r["case"], r["mode"]))
        if not p:
            continue
        c = dict(case=r["case"], mode=r["mode"], previous=p["java_seq_s"], now=r["java_seq_s"])
        c["regression"] = r["java_seq_s"] < (1 - REGRESSION) * p["java_seq_s"]
        best = doc["raw"]["java"][r["case"]][r["mode"]]["max"] * r["batch"]
        c["best_iteration_within"] = best >= (1 - REGRESSION) * p["java_seq_s"]
        rows.append(c)
        if c["regression"]:
            regressions.append(c)
    for n, g in doc["sgemm_peak"]["java"].items():
        p = base.get("sgemm_peak", {}).get("java", {}).get(n)
        if p:
            c = dict(case=f"sgemm n={n}", mode="GFLOP/s", previous=p["gflops"], now=g["gflops"])
            c["regression"] = g["gflops"] < (1 - REGRESSION) * p["gflops"]
            rows.append(c)
            if c["regression"]:
                regressions.append(c)
    return dict(baseline=baseline_path, baseline_timestamp=base.get("timestamp"),
                baseline_cpu=base.get("machine", {}).get("cpu_model"),
                machine_differs=base.get("machine", {}).get("cpu_model") != doc["machine"]["cpu_model"],
                rows=rows, regressions=regressions)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jmh", required=True, nargs="+", help="JMH JSON result files")
    parser.add_argument("--torch1", nargs="*", help="bench_lstm_torch.py results at 1 thread")
    parser.add_argument("--torch2", nargs="*", help="bench_lstm_torch.py results at 2 threads")
    parser.add_argument("--info", help="key=value lines from bin/bench-kernels")
    parser.add_argument("--cases", default="", help="comma-separated case ids: the order of the table rows")
    parser.add_argument("--command", default="")
    parser.add_argument("--timing", default="")
    parser.add_argument("--out-json", required=True)
    parser.add_argument("--out-md", required=True)
    parser.add_argument("--compare")
    args = parser.parse_args()

    java_cases, java_gemm = load_jmh(args.jmh)
    order = [c for c in args.cases.split(",") if c]
    java_cases = dict(sorted(java_cases.items(),
                             key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)))
    torch1, torch2 = load_torch(args.torch1), load_torch(args.torch2)
    info = read_info(args.info)
    java_peak = max((g["gflops"] for g in java_gemm.values()), default=None)
    machine = dict(
        cpu_model=cpu_model(), cores=os.cpu_count(), os=platform.platform(),
        java=info.get("java"), vm=info.get("vm"), kernels=info.get("kernels"),
        openblas_library=info.get("openblas_library"), openblas_core=None,
        env={k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_WAIT_POLICY")},
        torch_env={"1": (torch1 or {}).get("env"), "2": (torch2 or {}).get("env")},
        java_env={"OPENBLAS_NUM_THREADS": "1", "JVM": "--add-modules=jdk.incubator.vector"},
        loadavg_before=info.get("loadavg_before"), loadavg_after=info.get("loadavg_after"),
        git_commit=info.get("git_commit"), torch=(torch1 or torch2 or {}).get("torch"))
    if torch1:
        machine["openblas_core"] = torch1.get("openblas", {}).get("libblas.so.3", {}).get("corename")
    doc = dict(
        format="spark-lstm kernel benchmarks v1",
        timestamp=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        command=args.command, timing=args.timing, machine=machine,
        sgemm_peak=dict(java=java_gemm, torch1=(torch1 or {}).get("mm", {}), torch2=(torch2 or {}).get("mm", {})),
        rows=build_rows(java_cases, torch1, torch2, java_peak),
        raw=dict(java=java_cases, torch1=(torch1 or {}).get("cases"), torch2=(torch2 or {}).get("cases")))
    if args.compare:
        doc["compare"] = compare(doc, args.compare)
    with open(args.out_json, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    text = markdown(doc)
    with open(args.out_md, "w") as f:
        f.write(text + "\n")
    print(text)
    if args.compare and doc["compare"]["regressions"]:
        print(f"error: {len(doc['compare']['regressions'])} regression(s) against {args.compare}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
