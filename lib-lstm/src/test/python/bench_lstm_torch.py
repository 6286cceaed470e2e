#!/usr/bin/python3
"""The PyTorch side of the kernel benchmarks: nn.LSTM over the same grid as the JMH LstmBench.

Run with Debian's python3 (python3-torch 1.13), normally through bin/bench-kernels:
    /usr/bin/python3 lib-lstm/src/test/python/bench_lstm_torch.py --threads 1 \\
        --cases T50_B64_I32_H128_L1,T50_B64_I32_H128_L2_bi --out torch-1.json

Case ids are the JMH ones (io.sparklstm.bench.BenchCase): T50_B64_I32_H128_L2[_bi][_P64][_var];
_var gives sequence b (sorted longest first) the length T - (b * (T // 2)) // B, fed as a
PackedSequence. One operation is one batch of B sequences:
  forward           nn.LSTM(x) under torch.no_grad(), module in eval mode
  forwardBackward   out = nn.LSTM(x); out.sum().backward()  (d output = ones, no input gradient;
                    parameter .grad accumulates across operations, as the Java side's gradients do)
Timing mirrors JMH's throughput mode: warm-up iterations, then measurement iterations of --time
seconds each; an iteration runs whole operations until its time is up and scores ops/s; the
score is the median iteration. At 1 thread, also operations per CPU-second of the thread (cpu_score):
the speed with a core to itself, robust to other load on the machine.
With --mm, also the square SGEMM peak through torch.mm (n = 1024, 2048).

Threads: --threads sets torch.set_num_threads and, before torch loads, OMP_NUM_THREADS and
OPENBLAS_NUM_THREADS (PyTorch's GEMMs go to the system OpenBLAS, whose thread count is its own).
Writes one JSON document (see the end of main) to --out, or stdout.
"""
import argparse
import json
import os
import sys
import time


def parse_case(case_id):
    spec = dict(T=None, B=None, I=None, H=None, L=None, P=0, bi=False, var=False)
    for part in case_id.split("_"):
        if part in ("bi", "var"):
            spec[part] = True
        elif len(part) > 1 and part[0] in "TBIHLP" and part[1:].isdigit():
            spec[part[0]] = int(part[1:])
        else:
            raise ValueError(f"benchmark case {case_id}: unknown part {part}")
    if any(spec[k] is None for k in "TBIHL"):
        raise ValueError(f"benchmark case {case_id} needs T, B, I, H and L")
    return spec


def lengths_of(spec):
    t, b = spec["T"], spec["B"]
    return [t - (r * (t // 2)) // b if spec["var"] else t for r in range(b)]


def timed_iterations(op, warmup, iterations, seconds):
    """JMH-style throughput: per iteration, whole ops until `seconds` have passed.

    Returns (ops/s of wall-clock time, ops per CPU-second of this thread) per measurement iteration.
    At one thread PyTorch's CPU work (OpenBLAS included) runs on the calling thread, so the second
    is the speed with the core to itself, whatever else the machine runs.
    """
    wall, cpu = [], []
    for it in range(warmup + iterations):
        ops = 0
        start = time.perf_counter()
        cpu_start = time.thread_time()
        while True:
            op()
            ops += 1
            elapsed = time.perf_counter() - start
            if elapsed >= seconds:
                break
        cpu_elapsed = time.thread_time() - cpu_start
        if it >= warmup:
            wall.append(ops / elapsed)
            cpu.append(ops / cpu_elapsed if cpu_elapsed > 0 else float("nan"))
    return wall, cpu


def median(values):
    s = sorted(values)
    return s[len(s) // 2] if len(s) % 2 else (s[len(s) // 2 - 1] + s[len(s) // 2]) / 2


def summary(measured, threads):
    wall, cpu = measured
    result = dict(score=median(wall), mean=sum(wall) / len(wall), min=min(wall), max=max(wall), raw=wall)
    if threads == 1:
        result.update(cpu_score=median(cpu), cpu_raw=cpu)
    return result


def bench_case(torch, nn, case_id, args):
    from torch.nn.utils.rnn import pack_padded_sequence

    spec = parse_case(case_id)
    torch.manual_seed(1)
    lstm = nn.LSTM(spec["I"], spec["H"], num_layers=spec["L"], bidirectional=spec["bi"], proj_size=spec["P"])
    x = torch.rand(spec["T"], spec["B"], spec["I"]) * 2 - 1
    lengths = lengths_of(spec)
    if spec["var"]:
        inp = lambda: pack_padded_sequence(x, torch.tensor(lengths), enforce_sorted=True)
        output_sum = lambda out: out.data.sum()
    else:
        inp = lambda: x
        output_sum = lambda out: out.sum()

    def forward():
        with torch.no_grad():
            lstm(inp())

    def forward_backward():
        out, _ = lstm(inp())
        output_sum(out).backward()

    results = {}
    lstm.eval()
    results["forward"] = summary(timed_iterations(forward, args.warmup, args.iterations, args.time), args.threads)
    lstm.train()
    results["forwardBackward"] = summary(timed_iterations(forward_backward, args.warmup, args.iterations, args.time),
                                         args.threads)
    return results


def bench_mm(torch, n, args):
    torch.manual_seed(3)
    a = torch.rand(n, n) - 0.5
    b = torch.rand(n, n) - 0.5
    c = torch.empty(n, n)
    return summary(timed_iterations(lambda: torch.mm(a, b, out=c), args.warmup, args.iterations, args.time),
                   args.threads)


def openblas_info():
    import ctypes
    info = {}
    for name in ("libopenblas.so.0", "libblas.so.3"):
        try:
            lib = ctypes.CDLL(name)
            corename = lib.openblas_get_corename
            corename.restype = ctypes.c_char_p
            config = lib.openblas_get_config
            config.restype = ctypes.c_char_p
            info[name] = dict(corename=corename().decode(), config=config().decode(),
                              threads=lib.openblas_get_num_threads())
        except (OSError, AttributeError) as e:
            info[name] = dict(error=str(e))
    return info


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--cases", default="", help="comma-separated case ids")
    parser.add_argument("--mm", default="", help="comma-separated square sizes for the torch.mm peak, e.g. 1024,2048")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--iterations", type=int, default=5)
    parser.add_argument("--time", type=float, default=1.0, help="seconds per iteration")
    parser.add_argument("--out", default="-")
    args = parser.parse_args()

    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
    import torch
    from torch import nn
    torch.set_num_threads(args.threads)

    doc = dict(
        torch=torch.__version__, python=sys.version.split()[0], threads=torch.get_num_threads(),
        env={k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "OPENBLAS_CORETYPE",
                                             "OPENBLAS_L2_SIZE", "OMP_WAIT_POLICY")},
        openblas=openblas_info(), warmup=args.warmup, iterations=args.iterations, time=args.time,
        cases={}, mm={})
    for case_id in [c for c in args.cases.split(",") if c]:
        print(f"torch {args.threads} thread(s): {case_id}", file=sys.stderr, flush=True)
        doc["cases"][case_id] = bench_case(torch, nn, case_id, args)
    for n in [int(v) for v in args.mm.split(",") if v]:
        print(f"torch {args.threads} thread(s): mm {n}", file=sys.stderr, flush=True)
        r = bench_mm(torch, n, args)
        r["gflops"] = r["score"] * 2.0 * n ** 3 / 1e9
        if "cpu_score" in r:
            r["cpu_gflops"] = r["cpu_score"] * 2.0 * n ** 3 / 1e9
        doc["mm"][str(n)] = r
    text = json.dumps(doc, indent=1)
    if args.out == "-":
        print(text)
    else:
        with open(args.out, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
