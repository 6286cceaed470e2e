#!/usr/bin/env python3
"""Report of bin/bench-scaling: per W the validation curve, epochs to L*, E(W) and the modelled
time-to-accuracy on a W-core cluster; writes result.md, result.json and scaling.png in --dir.

The model of an epoch on W cores (one shard per core), from measured figures:
  compute   = b_W x t_batch       b_W = ceil(ceil(N / W) / B) mini-batches of the largest shard;
                                   t_batch = one mini-batch on one core (the timing run: the shards'
                                   total compute / their mini-batches)
  averaging = R_W x t_avg         R_W = rounds per epoch (the curve run's metrics); t_avg = the timing
                                   run's averaging seconds / rounds (Spark's per-round cost, here; the
                                   timing runs have a task slot per shard by default, as a W-core
                                   cluster: bin/bench-scaling --timing-slots; and the same N rows, so
                                   an epoch's fixed cost, e.g. direct rounds' one job per epoch, is
                                   spread over the same rounds)
  placement = placement_s x S / W the curve run's placement (once per run, in epoch 1: rows into their
                                   shards' blocks, docs/DATA_LAYOUT.md) on S slots, spread over W cores
Validation (the same work for every W) is left out. Time-to-accuracy = placement + eW x epoch(W).
"""
import argparse
import json
import math
import os
import statistics


def read_lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def read_run(path):
    with open(path) as f:
        return json.load(f)


def run_slots(run_dir, default):
    """The task slots a run had: N of its last spark.master=local[N] argument, else default."""
    masters = [a.split("=", 1)[1] for a in read_run(os.path.join(run_dir, "run.json"))["args"]
               if a.startswith("spark.master=")]
    m = masters[-1] if masters else ""
    return int(m[6:-1]) if m.startswith("local[") and m[6:-1].isdigit() else default


def timing(dir_, w, slots, batch, fallback_lines):
    """(t_batch, t_avg, placement per row, source): t_batch and t_avg from timing-w<W> (its 2nd epoch),
    else the curve run; the placement per row from the curve run's 1st epoch (the only one that places
    rows; at the full N rows, as a quarter of them would scale Spark's fixed cost of a job by 4)."""
    path = os.path.join(dir_, "timing-w%d" % w, "metrics.jsonl")
    if os.path.exists(path):
        all_lines, source = read_lines(path), "timing run"
    else:
        all_lines, source = fallback_lines, "curve run (not a quiet machine)"
    lines = all_lines[1:] or all_lines
    slots = run_slots(os.path.dirname(path), slots) if source == "timing run" else slots
    place = fallback_lines[0]["placement_seconds"] / fallback_lines[0]["sequences"]
    t_batch, t_avg = [], []
    for m in lines:
        n = m["sequences"]
        per_shard = [n // w + (1 if i < n % w else 0) for i in range(w)]
        batches = sum(math.ceil(r / batch) for r in per_shard)
        t_batch.append(m["compute_seconds"] * min(w, slots) / batches)
        t_avg.append(m["averaging_seconds"] / m["rounds"])
    return statistics.median(t_batch), statistics.median(t_avg), place, source


def analyse(args):
    runs = {}
    for w in args.workers:
        lines = read_lines(os.path.join(args.dir, "w%d" % w, "metrics.jsonl"))
        run = read_run(os.path.join(args.dir, "w%d" % w, "run.json"))
        # the rate W workers trained with: in the metrics where the job writes it, else the one given
        lr = lines[0].get("learning_rate") or next(
            (a.split("=", 1)[1] for a in reversed(run["args"]) if a.startswith("train.optimizer.learning-rate=")), None)
        t_batch, t_avg, place, source = timing(args.dir, w, args.slots, args.batch, lines)
        b_w = math.ceil(math.ceil(args.rows / w) / args.batch)
        rounds = lines[0]["rounds"]
        epoch_s = b_w * t_batch + rounds * t_avg
        runs[w] = {"workers": w, "learning_rate": lr, "curve": [m["validation"]["loss"] for m in lines],
                   "rounds_per_epoch": rounds, "epochs_cap": run["epochs_cap"],
                   "t_batch_ms": t_batch * 1e3, "t_avg_ms": t_avg * 1e3, "placement_us_per_row": place * 1e6,
                   "placement_s": place * args.rows * args.slots / w,
                   "timing_source": source, "modelled_epoch_s": epoch_s}
    # A mini-batch is the same work whatever W, and on a W-core cluster each shard has a core of its
    # own; here S shards share S cores, and two tasks at once each took about twice as long as one
    # alone (2 vCPUs of one physical core, or memory bandwidth), besides whatever else ran. So every
    # W takes the least disturbed (smallest) t_batch: normally the 1-worker run's, one task alone.
    t_min = min(r["t_batch_ms"] for r in runs.values())
    for w, r in runs.items():
        r["t_batch_ms"] = t_min
        b_w = math.ceil(math.ceil(args.rows / w) / args.batch)
        r["modelled_epoch_s"] = (b_w * t_min + r["rounds_per_epoch"] * r["t_avg_ms"]) / 1e3
    base = runs[1]
    target = min(base["curve"])
    e1 = base["curve"].index(target) + 1
    tta1 = base["placement_s"] + e1 * base["modelled_epoch_s"]
    for r in runs.values():
        hit = next((i + 1 for i, v in enumerate(r["curve"]) if v <= target), None)
        r["epochs_to_target"] = hit
        r["efficiency"] = e1 / hit if hit else None
        r["efficiency_bound"] = None if hit else e1 / len(r["curve"])
        r["tta_s"] = r["placement_s"] + hit * r["modelled_epoch_s"] if hit else None
        r["speedup"] = tta1 / r["tta_s"] if hit else None
    return {"target": target, "e1": e1, "runs": [runs[w] for w in args.workers]}


def fmt(v, spec):
    return "-" if v is None else format(v, spec)


def markdown(res, args, info):
    out = ["# bin/bench-scaling", "", "Command: `%s`  " % args.command, "Machine: %s  " % info, "",
           "L* = %.6f (best validation loss of the 1-worker run, epoch e1 = %d)" % (res["target"], res["e1"]), "",
           "| W | lr | rounds/epoch | epochs to L* | E(W) | t_batch ms | round ms | placement s (once) "
           "| modelled epoch s on W cores | time to L* s | speedup vs 1 core |",
           "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in res["runs"]:
        e = fmt(r["efficiency"], ".2f") if r["epochs_to_target"] else "< %.2f" % r["efficiency_bound"]
        hit = r["epochs_to_target"] or "> %d" % len(r["curve"])
        lr = "-" if r["learning_rate"] is None else "%.4g" % float(r["learning_rate"])
        out.append("| %d | %s | %d | %s | %s | %.2f | %.1f | %.2f | %.2f | %s | %s |" % (
            r["workers"], lr, r["rounds_per_epoch"], hit, e, r["t_batch_ms"], r["t_avg_ms"], r["placement_s"],
            r["modelled_epoch_s"], fmt(r["tta_s"], ".1f"), fmt(r["speedup"], ".2f")))
    out += ["", "Validation loss per epoch (a run stops at the first epoch at or below L*):", ""]
    for r in res["runs"]:
        out.append("- W = %d: %s" % (r["workers"], " ".join("%.4f" % v for v in r["curve"])))
    sources = sorted({r["timing_source"] for r in res["runs"]})
    note = " (t_batch: the smallest over the runs, for every W: one task alone on the machine)"
    out += ["", "Times from: %s%s. Modelled epoch on W cores = b_W x t_batch + rounds x round cost; time to L* = "
            "placement x S / W (once per run) + epochs x epoch (see bench_scaling_report.py)." % (
                ", ".join(sources), note), ""]
    return "\n".join(out)


def plot(res, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, (a, b) = plt.subplots(1, 2, figsize=(12, 4.5))
    for r in res["runs"]:
        epochs = range(1, len(r["curve"]) + 1)
        label = "W = %d" % r["workers"]
        a.plot(list(epochs), r["curve"], marker="o", ms=3, label=label)
        b.plot([r["placement_s"] + e * r["modelled_epoch_s"] for e in epochs], r["curve"], marker="o", ms=3, label=label)
    for ax, xl in ((a, "epoch"), (b, "modelled time on W cores, s")):
        ax.axhline(res["target"], color="grey", ls="--", lw=1, label="L* (1 worker's best)")
        ax.set_yscale("log")
        ax.set_xlabel(xl)
        ax.set_ylabel("validation MSE")
        ax.grid(True, which="both", alpha=0.3)
    b.set_xscale("log")
    a.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100, format="png")
    return True


def write(path, text_or_fn):
    tmp = path + ".tmp"
    if callable(text_or_fn):
        if not text_or_fn(tmp):
            return False
    else:
        with open(tmp, "w") as f:
            f.write(text_or_fn)
    os.replace(tmp, path)
    return True


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--workers", required=True, type=lambda s: [int(x) for x in s.split(",")])
    p.add_argument("--rows", type=int, required=True)
    p.add_argument("--batch", type=int, required=True)
    p.add_argument("--slots", type=int, required=True)
    p.add_argument("--command", default="")
    args = p.parse_args()
    with open(os.path.join(args.dir, "info.txt")) as f:
        info = ", ".join(line.strip() for line in f if line.strip())
    res = analyse(args)
    md = markdown(res, args, info)
    write(os.path.join(args.dir, "result.json"), json.dumps(res, indent=1) + "\n")
    if not write(os.path.join(args.dir, "scaling.png"), lambda tmp: plot(res, tmp)):
        md += "\n(no PNG: python3-matplotlib is not installed)\n"
    write(os.path.join(args.dir, "result.md"), md)
    print(md)


if __name__ == "__main__":
    main()
