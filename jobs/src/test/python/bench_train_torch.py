#!/usr/bin/python3
"""The PyTorch side of the end-to-end benchmark: one training epoch on the data `train` sees.

Run with Debian's python3 (python3-torch 1.13), normally through bin/bench-e2e:
    /usr/bin/python3 jobs/src/test/python/bench_train_torch.py --data runs/bench-e2e/data.safetensors \\
        --hidden 128 --batch 64 --threads 1 --out torch-1.json

--data is a file written by `bin/spark-lstm export` (docs/JOBS.md): tensors features F32 [N, T, I]
(zero-padded), lengths I64 [N], label F32 [N, out]; it is memory-mapped with numpy and copied into
RAM before the clock starts (data loading is not timed).

The model and loop are what `train` runs on each shard (head last, MSE):
    lstm = nn.LSTM(I, H, num_layers=L); head = nn.Linear(H, out)
    out, (h_n, c_n) = lstm(x)  (x is (T, B, I); a PackedSequence with enforce_sorted=False when the
                                batch has rows shorter than T)
    loss = MSELoss()(head(h_n[-1]), y); loss.backward(); clip_grad_norm_(params, clip); Adam(lr).step()
Rows are visited in a fresh random order every epoch (torch.randperm), in mini-batches of --batch
(the last one smaller), as a DataLoader with shuffle=True would, but without its worker processes:
a batch is gathered with index_select from the in-memory tensors. --warmup-batches steps run
before the timed epoch and are not counted.

Threads: --threads sets torch.set_num_threads and, before torch loads, OMP_NUM_THREADS and
OPENBLAS_NUM_THREADS (PyTorch's GEMMs go to the system OpenBLAS). The caller sets
OMP_WAIT_POLICY=PASSIVE for more than one thread (see docs/PERFORMANCE.md, kernel benchmarks).

Writes one JSON document to --out (or stdout): epoch seconds (wall), CPU seconds of the process,
sequences/s, the mean training loss, load time, peak RSS, and the settings.
"""
import argparse
import json
import os
import resource
import struct
import sys
import time

FORMAT_VERSION = "1"


def read_export(path):
    """The tensors of an `export` file as numpy memory maps (name -> array) and its metadata."""
    import numpy as np

    dtypes = {"F32": "<f4", "I64": "<i8", "I32": "<i4"}
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
    meta = header.pop("__metadata__", {})
    version = meta.get("spark-lstm.dataset-version")
    if version != FORMAT_VERSION:
        raise SystemExit(f"error: {path}: dataset version {version!r}, expected {FORMAT_VERSION!r} "
                         "(write it with this version's `bin/spark-lstm export`)")
    arrays = {}
    for name, e in header.items():
        begin, _ = e["data_offsets"]
        arrays[name] = np.memmap(path, dtype=dtypes[e["dtype"]], mode="r", offset=8 + n + begin,
                                 shape=tuple(e["shape"]))
    return arrays, meta


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", required=True, help="a .safetensors file from `bin/spark-lstm export`")
    parser.add_argument("--hidden", type=int, required=True)
    parser.add_argument("--layers", type=int, default=1)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.001)
    parser.add_argument("--clip", type=float, default=1.0, help="clip_grad_norm_ max norm; 0 = off")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=1, help="timed epochs (each is reported)")
    parser.add_argument("--warmup-batches", type=int, default=20)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", default="-")
    args = parser.parse_args()

    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
    import numpy as np
    import torch
    from torch import nn
    from torch.nn.utils.rnn import pack_padded_sequence

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    t0 = time.perf_counter()
    arrays, meta = read_export(args.data)
    if meta.get("head") != "last" or meta.get("loss") != "mse":
        raise SystemExit(f"error: {args.data}: this script trains head last with mse; the file has "
                         f"head {meta.get('head')}, loss {meta.get('loss')}")
    features = torch.from_numpy(np.array(arrays["features"]))  # (N, T, I), read into RAM
    lengths = torch.from_numpy(np.array(arrays["lengths"]))    # (N)
    labels = torch.from_numpy(np.array(arrays["label"]))       # (N, out)
    load_seconds = time.perf_counter() - t0
    n, steps, inputs = features.shape
    outputs = labels.shape[1]
    fixed = bool((lengths == steps).all())

    lstm = nn.LSTM(inputs, args.hidden, num_layers=args.layers)
    head = nn.Linear(args.hidden, outputs)
    params = list(lstm.parameters()) + list(head.parameters())
    optimizer = torch.optim.Adam(params, lr=args.lr)
    criterion = nn.MSELoss()
    generator = torch.Generator().manual_seed(args.seed)

    def step(idx):
        x = features.index_select(0, idx).transpose(0, 1).contiguous()  # (T, B, I)
        y = labels.index_select(0, idx)
        if fixed:
            _, (h_n, _) = lstm(x)
        else:
            packed = pack_padded_sequence(x, lengths.index_select(0, idx), enforce_sorted=False)
            _, (h_n, _) = lstm(packed)
        loss = criterion(head(h_n[-1]), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if args.clip > 0:
            nn.utils.clip_grad_norm_(params, args.clip)
        optimizer.step()
        return loss.item()

    warm = torch.randperm(n, generator=generator)
    for b in range(args.warmup_batches):
        step(warm[(b * args.batch) % n:(b * args.batch) % n + args.batch])

    epochs = []
    for epoch in range(args.epochs):
        order = torch.randperm(n, generator=generator)
        loss_sum = 0.0
        wall0, cpu0 = time.perf_counter(), time.process_time()
        for start in range(0, n, args.batch):
            idx = order[start:start + args.batch]
            loss_sum += step(idx) * len(idx)
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        epochs.append(dict(epoch=epoch + 1, seconds=wall, cpu_seconds=cpu, sequences=n,
                           sequences_per_second=n / wall, train_loss=loss_sum / n))
        print(f"torch {args.threads} thread(s): epoch {epoch + 1}: {wall:.1f} s, {n / wall:.0f} seq/s, "
              f"loss {loss_sum / n:.6f}", file=sys.stderr, flush=True)

    doc = dict(
        torch=torch.__version__, python=sys.version.split()[0], threads=torch.get_num_threads(),
        env={k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "OMP_WAIT_POLICY")},
        data=args.data, rows=n, steps=steps, input_size=inputs, output_size=outputs, fixed_length=fixed,
        hidden=args.hidden, layers=args.layers, batch=args.batch, lr=args.lr, clip=args.clip,
        parameters=sum(p.numel() for p in params), warmup_batches=args.warmup_batches,
        load_seconds=load_seconds, epochs=epochs,
        peak_rss_bytes=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
    text = json.dumps(doc, indent=1)
    if args.out == "-":
        print(text)
    else:
        with open(args.out, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
