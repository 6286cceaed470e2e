#!/usr/bin/python3
"""The driver's rules (train.outer, train.inner-state, train.lr-scaling) simulated in PyTorch.

Run with Debian's python3 (python3-torch 1.13), after generate_averaging_golden.py:
    /usr/bin/python3 jobs/src/test/python/generate_outer_golden.py
Reads the rows and the start model of jobs/src/test/resources/golden/averaging/ and writes one
file per case to jobs/src/test/resources/golden/outer/<case>.safetensors: the parameters after
training (state_dict names) and the train loss per epoch; the case's settings are in its metadata.
The loop is generate_averaging_golden.py's (W = 2 shards without shuffling, batches of 3, Adam
with clip_grad_norm_(0.5), MSE) with k = 3 mini-batches per round: 2 rounds per epoch, shard 0 (5
batches) trains only 2 in the second, and 2 epochs. After each round's sequence-weighted average:
  bmuf:   v = eta v + zeta (mean - b); theta += v; next b = theta + eta v (nesterov) or theta
  diloco: torch.optim.SGD(theta, lr, momentum, nesterov=True) stepped with grad = b - mean
  keep:   each shard trains on from its own Adam state (a shard that sits out keeps it)
  reset-first-moment: the averaged exp_avg is set to zero
  lr-scaling linear with a warm-up of 1 epoch: round r of epoch e trains with lr (1 + min(1, e + r/2))
"""
import copy
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "..", "lib-lstm", "src", "test", "python"))
sys.path.insert(0, HERE)
from safetensors_io import load, save  # noqa: E402
import generate_averaging_golden as avg  # noqa: E402

SRC = os.path.join(HERE, "..", "resources", "golden", "averaging")
OUT = os.path.join(HERE, "..", "resources", "golden", "outer")
W, BATCH, K, EPOCHS, LR = 2, 3, 3, 2, 0.01

CASES = {
    "bmuf": dict(outer="bmuf", momentum=0.5, block_lr=1.0, nesterov=False),
    "bmuf-nesterov": dict(outer="bmuf", momentum=0.5, block_lr=0.8, nesterov=True),
    "diloco": dict(outer="diloco", momentum=0.9, lr=0.7, nesterov=True),
    "keep": dict(outer="average", inner="keep"),
    "reset-first-moment": dict(outer="average", inner="reset-first-moment"),
    "linear-scaling-warmup": dict(outer="average", scaling="linear", warmup=1.0),
}


def train_round(model, state, batches, lr):
    """generate_averaging_golden.train_round at learning rate lr (load_state_dict restores the old lr)."""
    saved = avg.LR
    avg.LR = lr
    try:
        model = copy.deepcopy(model)
        opt = torch.optim.Adam(model.parameters(), lr=lr)
        if state is not None:
            opt.load_state_dict(state)
            for g in opt.param_groups:
                g["lr"] = lr
        seqs, loss_sum = 0, 0.0
        for x, y in batches:
            opt.zero_grad()
            loss = torch.nn.functional.mse_loss(model(x), y)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), avg.CLIP)
            opt.step()
            seqs += len(x)
            loss_sum += float(loss) * len(x)
        return model, opt.state_dict(), seqs, loss_sum
    finally:
        avg.LR = saved


def simulate(case, rows, init):
    shards = []
    for w in range(W):
        part = rows[w * len(rows) // W:(w + 1) * len(rows) // W]
        shards.append([([x for x, _ in part[b:b + BATCH]], torch.stack([y for _, y in part[b:b + BATCH]]))
                       for b in range(0, len(part), BATCH)])
    theta = copy.deepcopy(init)       # the driver's model
    start = copy.deepcopy(init)       # what the shards start from (b)
    state = None                      # the averaged Adam state
    own = [None] * W                  # inner-state keep: each shard's Adam state
    velocity = [torch.zeros_like(p) for p in theta.parameters()]
    outer_opt = None
    if case["outer"] == "diloco":
        outer_opt = torch.optim.SGD(theta.parameters(), lr=case["lr"], momentum=case["momentum"], nesterov=True)
    losses = []
    for epoch in range(EPOCHS):
        rounds = (max(len(s) for s in shards) + K - 1) // K
        seqs, loss_sum = 0, 0.0
        for r in range(rounds):
            lr = LR
            if case.get("scaling") == "linear":
                lr = LR * (1 + (W - 1) * min(1.0, (epoch + r / rounds) / case["warmup"]))
            results = []
            for w, s in enumerate(shards):
                if len(s) > r * K:
                    begin = own[w] if case.get("inner") == "keep" else state
                    results.append((w, train_round(start, begin, s[r * K:(r + 1) * K], lr)))
            mean, state = avg.average([x for _, x in results])
            if case.get("inner") == "keep":
                for w, x in results:
                    own[w] = x[1]
            if case.get("inner") == "reset-first-moment":
                for idx in state["state"]:
                    state["state"][idx]["exp_avg"] = torch.zeros_like(state["state"][idx]["exp_avg"])
            seqs += sum(x[2] for _, x in results)
            loss_sum += sum(x[3] for _, x in results)
            with torch.no_grad():
                if case["outer"] == "average":
                    theta = mean
                elif case["outer"] == "bmuf":
                    eta, zeta = case["momentum"], case["block_lr"]
                    for v, t, b, m in zip(velocity, theta.parameters(), start.parameters(), mean.parameters()):
                        v.copy_(eta * v + zeta * (m - b))
                        t.add_(v)
                else:
                    for t, b, m in zip(theta.parameters(), start.parameters(), mean.parameters()):
                        t.grad = b - m
            if outer_opt is not None:
                outer_opt.step()
            start = copy.deepcopy(theta)
            if case["outer"] == "bmuf" and case["nesterov"]:
                with torch.no_grad():
                    for b, v in zip(start.parameters(), velocity):
                        b.add_(case["momentum"] * v)
        losses.append(loss_sum / seqs)
    return theta, losses


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(1)
    import json
    rows = []
    with open(os.path.join(SRC, "data.json")) as f:
        for line in f:
            r = json.loads(line)
            rows.append((torch.tensor(r["features"]), torch.tensor(r["label"])))
    init = avg.SequenceModel()
    tensors, _ = load(os.path.join(SRC, "init.safetensors"))
    init.load_state_dict(tensors)
    for name, case in CASES.items():
        theta, losses = simulate(case, rows, init)
        out = {k: v.detach().clone() for k, v in theta.state_dict().items()}
        out["train_loss"] = torch.tensor(losses, dtype=torch.float32)
        save(os.path.join(OUT, name + ".safetensors"), out, {"torch": torch.__version__, "case": json.dumps(case)})
        print(name, ["%.6f" % x for x in losses])


if __name__ == "__main__":
    main()
