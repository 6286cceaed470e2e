#!/usr/bin/python3
"""Merges the kernel benchmark results into one JSON file and side-by-side markdown tables.

Called by bin/bench-kernels (standard library only; any python3 works):
    bench_report.py --jmh jmh-*.json --torch1 torch-1-*.json --torch2 torch-2-*.json \\
        --cases ID,ID --pressure pressure.txt --info info.txt --command "bin/bench-kernels ..." \\
        --timing "..." --out-json result.json --out-md result.md [--compare previous/result.json]

Units: one JMH/PyTorch operation is one batch of B sequences, so sequences/s = ops/s * B. Scores are
the median of the measurement iterations. Two clocks:
  wall-clock   what JMH and the PyTorch script report: ops per second of elapsed time.
  CPU time     ops per CPU-second of the benchmark thread (Java: io.sparklstm.bench.CpuClock;
               PyTorch at 1 thread: time.thread_time()). On a machine shared with other work the
               thread waits for a core part of the time; CPU time leaves that out, so it estimates
               the idle-machine speed. (Not for PyTorch at 2 threads, whose work spans threads.)
Effective GFLOP/s counts the GEMM work only (io.sparklstm.bench.BenchCase): forward
2 * T' * (4H * (I_l + H_out) + H * P) per sequence, layer and direction (T' its length), backward
twice that, so forward+backward is 3x forward.

Targets (Java on 1 thread over PyTorch on 1 thread, same run, same machine), checked on both clocks:
    forward+backward: H <= 128: >= 2x;  128 < H < 512: >= 1.5x;
                      H >= 512: >= 1.1x and >= 60% of Java's measured single-thread sgemm peak
    forward:          >= 1.5x everywhere
With --compare, a Java score more than 10% below the saved result is a regression: listed, and the
exit code is 2. The score compared is the CPU-time one when both results have it (other load on the
machine then does not raise false alarms), else the wall-clock one.
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


def median(values):
    v = sorted(values)
    return v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2


def load_jmh(paths):
    """({case: {mode: stats}}, {n: stats}) from JMH JSON files; stats hold wall and CPU-time scores."""
    cases, gemm = {}, {}
    for path in paths:
        with open(path) as f:
            results = json.load(f)
        for r in results:
            cls, method = r["benchmark"].rsplit(".", 2)[-2:]
            raw = [v for fork in r["primaryMetric"]["rawData"] for v in fork]
            stats = dict(score=median(raw), mean=r["primaryMetric"]["score"], min=min(raw), max=max(raw),
                         raw=raw, error999=r["primaryMetric"]["scoreError"])
            aux = r.get("secondaryMetrics", {})
            if "ops" in aux and "cpuNanos" in aux:
                ops = [v for fork in aux["ops"]["rawData"] for v in fork]
                nanos = [v for fork in aux["cpuNanos"]["rawData"] for v in fork]
                cpu = [o * 1e9 / c for o, c in zip(ops, nanos) if c > 0]
                if cpu:
                    stats.update(cpu_score=median(cpu), cpu_raw=cpu)
            if cls == "LstmBench":
                cases.setdefault(r["params"]["shape"], {})[method] = stats
            elif cls == "GemmBench":
                n = int(r["params"]["n"])
                stats["gflops"] = stats["score"] * 2.0 * n ** 3 / 1e9
                if "cpu_score" in stats:
                    stats["cpu_gflops"] = stats["cpu_score"] * 2.0 * n ** 3 / 1e9
                gemm[str(n)] = stats
    return cases, gemm


def load_json(path):
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
            merged = dict(doc, cases={}, mm={})
        merged["cases"].update(doc.get("cases", {}))
        merged["mm"].update(doc.get("mm", {}))
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


def read_pressure(path):
    """{"java:<case>": percent, ...}: CPU pressure (PSI some) over each run, from bin/bench-kernels."""
    pressure = {}
    if path and os.path.exists(path):
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 3 and float(parts[1]) > 0:
                    pressure[parts[0]] = 100.0 * int(parts[2]) / 1e6 / float(parts[1])
    return pressure


def spread(stats):
    """(max - min) / median of the measurement iterations, in percent."""
    return 100.0 * (stats["max"] - stats["min"]) / stats["score"] if stats["score"] else 0.0


def best_peak(gemm, key):
    values = [g[key] for g in gemm.values() if g.get(key)]
    return max(values) if values else None


def verdict(ratio, min_ratio, fraction, min_fraction):
    checks = []
    if ratio is not None:
        checks.append(ratio >= min_ratio)
    if min_fraction is not None and fraction is not None:
        checks.append(fraction >= min_fraction)
    return "n/a" if not checks else ("PASS" if all(checks) else "FAIL")


def build_rows(java_cases, torch1, torch2, java_gemm, pressure):
    peak = best_peak(java_gemm, "gflops")
    cpu_peak = best_peak(java_gemm, "cpu_gflops")
    rows = []
    for case_id, modes in java_cases.items():
        spec = parse_case(case_id)
        b = spec["B"]
        fwd_flops = forward_flops_per_batch(spec)
        for mode, _ in MODES:
            if mode not in modes:
                continue
            j = modes[mode]
            flops = fwd_flops * (3 if mode == "forwardBackward" else 1)
            row = dict(case=case_id, mode=mode, batch=b, hidden=spec["H"], flops_per_batch=flops,
                       java_seq_s=j["score"] * b, java_spread_pct=spread(j), java_gflops=j["score"] * flops / 1e9,
                       java_cpu_seq_s=j["cpu_score"] * b if "cpu_score" in j else None,
                       java_cpu_gflops=j["cpu_score"] * flops / 1e9 if "cpu_score" in j else None)
            for key, doc in (("torch1", torch1), ("torch2", torch2)):
                t = (doc or {}).get("cases", {}).get(case_id, {}).get(mode)
                row[key + "_seq_s"] = t["score"] * b if t else None
                row[key + "_spread_pct"] = spread(t) if t else None
                row["ratio_" + key] = j["score"] / t["score"] if t else None
                if key == "torch1":
                    has_cpu = bool(t and "cpu_score" in t and "cpu_score" in j)
                    row["torch1_cpu_seq_s"] = t["cpu_score"] * b if t and "cpu_score" in t else None
                    row["cpu_ratio_torch1"] = j["cpu_score"] / t["cpu_score"] if has_cpu else None
            for side in ("java", "torch1", "torch2"):
                row["pressure_" + side] = pressure.get(f"{side}:{case_id}")
            min_ratio, min_fraction, label = target_of(spec, mode)
            row["target"] = label
            if min_fraction is not None:
                row["peak_fraction"] = row["java_gflops"] / peak if peak else None
                row["cpu_peak_fraction"] = (row["java_cpu_gflops"] / cpu_peak
                                            if cpu_peak and row["java_cpu_gflops"] else None)
            # The ratio Java would reach if the whole batch ran at its sgemm peak: above the target or not.
            t1 = (torch1 or {}).get("cases", {}).get(case_id, {}).get(mode)
            row["cpu_ceiling"] = (cpu_peak / (t1["cpu_score"] * flops / 1e9)
                                  if cpu_peak and t1 and t1.get("cpu_score") else None)
            row["result"] = verdict(row["ratio_torch1"], min_ratio, row.get("peak_fraction"), min_fraction)
            row["cpu_result"] = verdict(row["cpu_ratio_torch1"], min_ratio, row.get("cpu_peak_fraction"),
                                        min_fraction)
            rows.append(row)
    return rows


def fmt(v, pattern="{:.0f}"):
    return "-" if v is None else pattern.format(v)


def with_peak(result, fraction):
    return result + (f" ({100 * fraction:.0f}% peak)" if fraction is not None else "")


def peaks_line(label, gemm, key):
    values = ", ".join(f"n={n}: {r[key]:.1f}" for n, r in gemm.items() if r.get(key) is not None)
    return f"{label} {values or '-'}"


def markdown(doc):
    m = doc["machine"]
    out = [f"Kernel benchmarks, {doc['timestamp']}", ""]
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
    out.append("- Single-thread SGEMM peak, square n x n, GFLOP/s: "
               + peaks_line("Java Gemm", peaks["java"], "gflops") + " ("
               + peaks_line("per CPU-second", peaks["java"], "cpu_gflops") + "); "
               + peaks_line("PyTorch torch.mm 1 thread", peaks.get("torch1", {}), "gflops") + " ("
               + peaks_line("per CPU-second", peaks.get("torch1", {}), "cpu_gflops") + "); "
               + peaks_line("2 threads", peaks.get("torch2", {}), "gflops"))
    out.append("")
    for mode, title in MODES:
        rows = [r for r in doc["rows"] if r["mode"] == mode]
        out.append(f"**{title}, wall-clock** (Java on 1 thread; ratio = Java / PyTorch; spread = "
                   "(max-min)/median of the measurement iterations; CPU pressure = share of the run's time "
                   "in which some task waited for a CPU (Linux PSI): above a few %, other load disturbed "
                   "the wall-clock numbers)")
        out.append("")
        out.append("| case | Java seq/s | spread | Java GFLOP/s | PyTorch 1t seq/s | PyTorch 2t seq/s "
                   "| Java/PT 1t | Java/PT 2t | target (vs 1t) | result | CPU pressure J/1t/2t |")
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---|---|---|")
        for r in rows:
            pressure = "/".join(fmt(r.get("pressure_" + k), "{:.0f}%") for k in ("java", "torch1", "torch2"))
            out.append(f"| {r['case']} | {fmt(r['java_seq_s'])} | {fmt(r['java_spread_pct'], '{:.0f}%')} "
                       f"| {fmt(r['java_gflops'], '{:.1f}')} | {fmt(r['torch1_seq_s'])} | {fmt(r['torch2_seq_s'])} "
                       f"| {fmt(r['ratio_torch1'], '{:.2f}')} | {fmt(r['ratio_torch2'], '{:.2f}')} "
                       f"| {r['target']} | {with_peak(r['result'], r.get('peak_fraction'))} | {pressure} |")
        out.append("")
        if any(r["java_cpu_seq_s"] is not None for r in rows):
            out.append(f"**{title}, per CPU-second** (the same runs timed by the benchmark thread's CPU "
                       "time: the idle-machine estimate; ceiling = the ratio if Java ran the whole batch at "
                       "its measured sgemm peak)")
            out.append("")
            out.append("| case | Java seq/CPU-s | Java GFLOP/CPU-s | PyTorch 1t seq/CPU-s | Java/PT 1t "
                       "| ceiling | target | result |")
            out.append("|---|---:|---:|---:|---:|---:|---|---|")
            for r in rows:
                out.append(f"| {r['case']} | {fmt(r['java_cpu_seq_s'])} | {fmt(r['java_cpu_gflops'], '{:.1f}')} "
                           f"| {fmt(r['torch1_cpu_seq_s'])} | {fmt(r['cpu_ratio_torch1'], '{:.2f}')} "
                           f"| {fmt(r.get('cpu_ceiling'), '{:.2f}')} | {r['target']} | {with_peak(r['cpu_result'], r.get('cpu_peak_fraction'))} |")
            out.append("")
    cmp = doc.get("compare")
    if cmp:
        out.append(f"**Compared with** `{cmp['baseline']}` ({cmp['baseline_timestamp']}, CPU "
                   f"{cmp['baseline_cpu']}); regression = Java more than {int(100 * REGRESSION)}% slower "
                   "on the compared clock")
        out.append("")
        out.append("| case | mode | clock | previous | now | change | wall-clock change | |")
        out.append("|---|---|---|---:|---:|---:|---:|---|")
        for c in cmp["rows"]:
            wall = fmt(c.get("wall_change_pct"), "{:+.1f}%")
            out.append(f"| {c['case']} | {c['mode']} | {c['clock']} | {c['previous']:.0f} | {c['now']:.0f} "
                       f"| {100 * (c['now'] / c['previous'] - 1):+.1f}% | {wall} "
                       f"| {'REGRESSION' if c['regression'] else ''} |")
        out.append("")
        out.append(f"{len(cmp['regressions'])} regression(s)."
                   + (" Machines differ: compare with care." if cmp["machine_differs"] else ""))
        out.append("")
    return "\n".join(out)


def compare(doc, baseline_path):
    base = load_json(baseline_path)
    previous = {(r["case"], r["mode"]): r for r in base["rows"]}
    rows = []

    def add(case, mode, now_cpu, prev_cpu, now_wall, prev_wall, unit):
        if now_cpu and prev_cpu:
            clock, now, prev = "CPU " + unit, now_cpu, prev_cpu
        elif now_wall and prev_wall:
            clock, now, prev = "wall " + unit, now_wall, prev_wall
        else:
            return
        rows.append(dict(case=case, mode=mode, clock=clock, previous=prev, now=now,
                         wall_change_pct=100 * (now_wall / prev_wall - 1) if now_wall and prev_wall else None,
                         regression=now < (1 - REGRESSION) * prev))

    for r in doc["rows"]:
        p = previous.get((r["case"], r["mode"]))
        if p:
            add(r["case"], r["mode"], r.get("java_cpu_seq_s"), p.get("java_cpu_seq_s"),
                r["java_seq_s"], p["java_seq_s"], "seq/s")
    for n, g in doc["sgemm_peak"]["java"].items():
        p = base.get("sgemm_peak", {}).get("java", {}).get(n)
        if p:
            add(f"sgemm n={n}", "-", g.get("cpu_gflops"), p.get("cpu_gflops"), g["gflops"], p["gflops"], "GFLOP/s")
    return dict(baseline=baseline_path, baseline_timestamp=base.get("timestamp"),
                baseline_cpu=base.get("machine", {}).get("cpu_model"),
                machine_differs=base.get("machine", {}).get("cpu_model") != doc["machine"]["cpu_model"],
                rows=rows, regressions=[c for c in rows if c["regression"]])


def write_and_judge(doc, text, out_json, out_md, baseline):
    """Writes the JSON and markdown results, prints the markdown; exit code 2 if the comparison found regressions."""
    with open(out_json, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    with open(out_md, "w") as f:
        f.write(text + "\n")
    print(text)
    if baseline and doc["compare"]["regressions"]:
        print(f"error: {len(doc['compare']['regressions'])} regression(s) against {baseline}", file=sys.stderr)
        sys.exit(2)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jmh", required=True, nargs="+", help="JMH JSON result files")
    parser.add_argument("--torch1", nargs="*", help="bench_lstm_torch.py results at 1 thread")
    parser.add_argument("--torch2", nargs="*", help="bench_lstm_torch.py results at 2 threads")
    parser.add_argument("--cases", default="", help="comma-separated case ids: the order of the table rows")
    parser.add_argument("--pressure", help="'name seconds psi-microseconds' lines from bin/bench-kernels")
    parser.add_argument("--info", help="key=value lines from bin/bench-kernels")
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
    pressure = read_pressure(args.pressure)
    machine = dict(
        cpu_model=cpu_model(), cores=os.cpu_count(), os=platform.platform(),
        java=info.get("java"), vm=info.get("vm"), kernels=info.get("kernels"),
        openblas_library=info.get("openblas_library"),
        openblas_core=((torch1 or {}).get("openblas", {}).get("libblas.so.3", {}).get("corename")),
        env={k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_WAIT_POLICY")},
        java_env={"OPENBLAS_NUM_THREADS": "1", "JVM": "--add-modules=jdk.incubator.vector"},
        torch_env={"1": (torch1 or {}).get("env"), "2": (torch2 or {}).get("env")},
        loadavg_before=info.get("loadavg_before"), loadavg_after=info.get("loadavg_after"),
        git_commit=info.get("git_commit"), torch=(torch1 or torch2 or {}).get("torch"))
    doc = dict(
        format="spark-lstm kernel benchmarks v1",
        timestamp=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        command=args.command, timing=args.timing, machine=machine,
        sgemm_peak=dict(java=java_gemm, torch1=(torch1 or {}).get("mm", {}), torch2=(torch2 or {}).get("mm", {})),
        rows=build_rows(java_cases, torch1, torch2, java_gemm, pressure), pressure=pressure,
        raw=dict(java=java_cases, torch1=(torch1 or {}).get("cases"), torch2=(torch2 or {}).get("cases")))
    if args.compare:
        doc["compare"] = compare(doc, args.compare)
    write_and_judge(doc, markdown(doc), args.out_json, args.out_md, args.compare)


if __name__ == "__main__":
    main()
