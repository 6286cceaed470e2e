#!/usr/bin/python3
"""Two-worker parameter averaging with Adam and gradient clipping, simulated in PyTorch.

Run with Debian's python3 (python3-torch 1.13):
    /usr/bin/python3 jobs/src/test/python/generate_averaging_golden.py
Writes to jobs/src/test/resources/golden/averaging/:
  data.json                 the training rows as JSON lines: features [T][3], label [2]
  init.safetensors          the starting SequenceModel (nn.LSTM(3, 6, 2) + nn.Linear(6, 2), head "last")
                            with spark-lstm's config metadata
  expected.safetensors      the parameters after training (state_dict names) and the train loss per epoch
The loop is DESIGN.md section 7 with train.shuffle = false: W = 2 shards, shard w holds rows
[floor(w*N/W), floor((w+1)*N/W)) in input order, cut into mini-batches of 3 in order (shard 0 has 5, shard 1 has 6, so
shard 0 sits out part of the last round and the averaged step count becomes fractional); each round
every shard with batches left trains its next k = 2 mini-batches (MSE loss, clip_grad_norm_(0.5),
Adam lr 0.01) from the averaged model and Adam state; then parameters, exp_avg, exp_avg_sq and the
step count become their mean weighted by the sequences each shard trained that round. 3 epochs.
"""
import copy
import json
import os
import sys

import torch
from torch import nn
from torch.nn.utils.rnn import pack_sequence

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "..", "lib-lstm", "src", "test", "python"))
from safetensors_io import save  # noqa: E402

OUT = os.path.join(HERE, "..", "resources", "golden", "averaging")
N, I, H, L, OUT_FEATURES = 31, 3, 6, 2, 2
W, BATCH, K, EPOCHS, LR, CLIP = 2, 3, 2, 3, 0.01, 0.5


class SequenceModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(I, H, L)
        self.head = nn.Linear(H, OUT_FEATURES)

    def forward(self, seqs):
        _, (h_n, _) = self.lstm(pack_sequence(seqs, enforce_sorted=False))
        return self.head(h_n[-1])


def train_round(model, state, batches):
    """Trains `batches` from (model, Adam state); returns the new model, state, sequences, loss sum."""
    model = copy.deepcopy(model)
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    if state is not None:
        opt.load_state_dict(state)
    seqs = 0
    loss_sum = 0.0
    for x, y in batches:
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        opt.step()
        seqs += len(x)
        loss_sum += float(loss) * len(x)
    return model, opt.state_dict(), seqs, loss_sum


def average(results):
    """Sequence-weighted mean of models and Adam states (x0 + sum w (x - x0) / sum w, in double)."""
    weights = [r[2] for r in results]
    total = float(sum(weights))
    model = copy.deepcopy(results[0][0])
    with torch.no_grad():
        for name, p in model.named_parameters():
            x0 = p.double()
            off = sum(w * (dict(r[0].named_parameters())[name].double() - x0) for r, w in zip(results, weights))
            p.copy_((x0 + off / total).float())
    state = copy.deepcopy(results[0][1])
    for idx in state["state"]:
        for key in ["exp_avg", "exp_avg_sq"]:
            x0 = results[0][1]["state"][idx][key].double()
            off = sum(w * (r[1]["state"][idx][key].double() - x0) for r, w in zip(results, weights))
            state["state"][idx][key] = (x0 + off / total).float()
        s0 = float(results[0][1]["state"][idx]["step"])
        step = s0 + sum(w * (float(r[1]["state"][idx]["step"]) - s0) for r, w in zip(results, weights)) / total
        state["state"][idx]["step"] = torch.tensor(step)
    return model, state


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(5)
    torch.set_num_threads(1)
    rows = []
    for i in range(N):
        t = int(torch.randint(1, 8, (1,)))
        rows.append((torch.randn(t, I), torch.randn(OUT_FEATURES)))
    with open(os.path.join(OUT, "data.json"), "w") as f:
        for x, y in rows:
            f.write(json.dumps({"features": x.tolist(), "label": y.tolist()}) + "\n")
    model = SequenceModel()
    config = {"lstm": dict(input_size=I, hidden_size=H, num_layers=L, bias=True, batch_first=False, dropout=0.0,
                           bidirectional=False, proj_size=0), "head": {"out_features": OUT_FEATURES, "mode": "last"}}
    save(os.path.join(OUT, "init.safetensors"), model.state_dict(),
         {"format": "pt", "spark-lstm.config": json.dumps(config), "spark-lstm.format-version": "1"})

    shards = []
    for w in range(W):
        part = rows[w * N // W:(w + 1) * N // W]
        batches = []
        for b in range(0, len(part), BATCH):
            chunk = part[b:b + BATCH]
            batches.append(([x for x, _ in chunk], torch.stack([y for _, y in chunk])))
        shards.append(batches)
    state = None
    losses = []
    for epoch in range(EPOCHS):
        seqs = 0
        loss_sum = 0.0
        rounds = (max(len(s) for s in shards) + K - 1) // K
        for r in range(rounds):
            results = [train_round(model, state, s[r * K:(r + 1) * K]) for s in shards if len(s) > r * K]
            model, state = average(results)
            seqs += sum(x[2] for x in results)
            loss_sum += sum(x[3] for x in results)
        losses.append(loss_sum / seqs)
        print(f"epoch {epoch + 1}: train loss {losses[-1]:.6f}")
    tensors = dict(model.state_dict())
    tensors["train_loss"] = torch.tensor(losses, dtype=torch.float32)
    save(os.path.join(OUT, "expected.safetensors"), tensors, {"torch": torch.__version__})


if __name__ == "__main__":
    main()
