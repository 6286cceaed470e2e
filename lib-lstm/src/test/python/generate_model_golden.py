#!/usr/bin/python3
"""Writes golden fixtures for SequenceModel training: heads, losses and truncated BPTT.

Run with Debian's python3 (python3-torch 1.13):
    /usr/bin/python3 lib-lstm/src/test/python/generate_model_golden.py
Each case (lib-lstm/src/test/resources/golden/model/<case>.safetensors) holds the parameters of
SequenceModel (lstm.* and head.*, state_dict names), a padded batch (features (B, T, I), lengths),
labels (last: (B, out) floats or (B) classes; every-step: (B, T, out) or (B, T), zero past the
length), the loss and the gradient of every parameter (grad.<name>). Case settings are in the
metadata: the nn.LSTM kwargs, head {out_features, mode}, loss, tbptt.

Losses are nn.MSELoss() / nn.CrossEntropyLoss() with reduction='mean' over valid elements (padding
excluded). Truncated BPTT with chunk k: steps [0,k), [k,2k), ... each start from the previous
chunk's final (h, c), detached; rows whose sequence already ended keep their state and sit out the
chunk; the loss of each chunk is normalised by the whole batch's count and the gradients of all
chunks are summed (one optimizer step per batch). 'last' losses are taken in the chunk where each
sequence ends.
"""
import json
import os

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from safetensors_io import save

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "golden", "model")

CASES = [
    # name, lstm kwargs, head (out, mode) or None, loss, T, B, tbptt
    ("last_mse_bidir", dict(input_size=3, hidden_size=5, num_layers=2, bidirectional=True), (3, "last"), "mse", 6, 5, 0),
    ("last_ce_proj", dict(input_size=4, hidden_size=6, proj_size=3), (4, "last"), "cross-entropy", 5, 6, 0),
    ("every_mse_layers2", dict(input_size=2, hidden_size=4, num_layers=2), (2, "every-step"), "mse", 6, 4, 0),
    ("every_ce_bidir", dict(input_size=3, hidden_size=4, bidirectional=True), (3, "every-step"), "cross-entropy", 5, 4, 0),
    ("last_mse_nohead", dict(input_size=3, hidden_size=4, num_layers=2), None, "mse", 5, 3, 0),
    ("every_mse_out1_nobias", dict(input_size=2, hidden_size=3, bias=False), (1, "every-step"), "mse", 4, 3, 0),
    ("tbptt_last_mse", dict(input_size=3, hidden_size=5, num_layers=2), (2, "last"), "mse", 8, 5, 3),
    ("tbptt_every_ce_proj", dict(input_size=3, hidden_size=6, proj_size=2), (3, "every-step"), "cross-entropy", 7, 4, 2),
    ("tbptt_every_mse_layers3", dict(input_size=2, hidden_size=3, num_layers=3), (1, "every-step"), "mse", 9, 3, 4),
]


class SequenceModel(nn.Module):
    def __init__(self, lstm_kwargs, head):
        super().__init__()
        self.lstm = nn.LSTM(batch_first=True, **lstm_kwargs)
        d = 2 if self.lstm.bidirectional else 1
        width = d * (self.lstm.proj_size or self.lstm.hidden_size)
        self.head = nn.Linear(width, head[0]) if head else None
        self.mode = head[1] if head else "last"

    def top_state(self, h_n):
        """h_n of the top layer, directions concatenated: (B, D*H_out)."""
        d = 2 if self.lstm.bidirectional else 1
        return torch.cat([h_n[-d + i] for i in range(d)], dim=-1)


def run_chunk(model, x, lengths, state):
    """The LSTM on rows with lengths >= 1 only; others keep `state`. x (B, t, I)."""
    active = (lengths > 0).nonzero().flatten()
    h, c = state
    packed = pack_padded_sequence(x[active], lengths[active], batch_first=True, enforce_sorted=False)
    o, (h_a, c_a) = model.lstm(packed, (h[:, active], c[:, active]))
    out_a, _ = pad_packed_sequence(o, batch_first=True, total_length=x.shape[1])
    out = torch.zeros(x.shape[0], x.shape[1], out_a.shape[-1])
    out[active] = out_a
    h = h.clone()
    c = c.clone()
    h[:, active] = h_a
    c[:, active] = c_a
    return out, (h, c)


def loss_terms(model, pred, labels, loss, valid):
    """Summed loss over the rows/steps selected by `valid` (bool mask over pred's leading dims)."""
    p = pred[valid]
    y = labels[valid]
    if loss == "mse":
        return ((p - y.reshape(p.shape)) ** 2).sum()
    return nn.functional.cross_entropy(p, y.long(), reduction="sum")


def make_case(name, kwargs, head, loss, T, B, tbptt, seed):
    torch.manual_seed(seed)
    model = SequenceModel(kwargs, head)
    lstm = model.lstm
    d = 2 if lstm.bidirectional else 1
    out_size = head[0] if head else d * (lstm.proj_size or lstm.hidden_size)
    x = torch.randn(B, T, lstm.input_size)
    lengths = torch.randint(1, T + 1, (B,))
    lengths[0] = T
    steps = torch.arange(T)[None, :] < lengths[:, None]  # (B, T) valid steps
    x = x * steps[..., None]
    if model.mode == "last":
        labels = torch.randn(B, out_size) if loss == "mse" else torch.randint(0, out_size, (B,)).float()
        count = B * out_size if loss == "mse" else B
    else:
        labels = torch.randn(B, T, out_size) if loss == "mse" else torch.randint(0, out_size, (B, T)).float()
        labels = labels * (steps[..., None] if loss == "mse" else steps)
        count = int(lengths.sum()) * (out_size if loss == "mse" else 1)

    layers = lstm.num_layers * d
    state = (torch.zeros(layers, B, lstm.proj_size or lstm.hidden_size), torch.zeros(layers, B, lstm.hidden_size))
    k = tbptt if tbptt > 0 else T
    total = 0.0
    model.zero_grad()
    for start in range(0, T, k):
        end = min(T, start + k)
        chunk_len = (lengths - start).clamp(0, end - start)
        out, state = run_chunk(model, x[:, start:end], chunk_len, state)
        if model.mode == "every-step":
            pred = model.head(out) if model.head else out
            part = loss_terms(model, pred, labels[:, start:end], loss, steps[:, start:end]) / count
        else:
            ends_here = (lengths > start) & (lengths <= end)
            z = model.top_state(state[0])
            pred = model.head(z) if model.head else z
            part = loss_terms(model, pred, labels, loss, ends_here) / count
        if part.requires_grad:
            part.backward()
        total += float(part)
        state = (state[0].detach(), state[1].detach())

    tensors = dict(model.state_dict())
    tensors["features"] = x
    tensors["lengths"] = lengths.float()
    tensors["labels"] = labels
    tensors["loss"] = torch.tensor([total], dtype=torch.float64).float()
    for pname, p in model.named_parameters():
        tensors["grad." + pname] = p.grad
    meta = {"lstm": json.dumps(dict(input_size=lstm.input_size, hidden_size=lstm.hidden_size,
                                    num_layers=lstm.num_layers, bias=lstm.bias, batch_first=True,
                                    dropout=0.0, bidirectional=lstm.bidirectional, proj_size=lstm.proj_size)),
            "head": json.dumps({"out_features": head[0], "mode": head[1]} if head else None),
            "loss": loss, "tbptt": str(tbptt), "torch": torch.__version__, "case": name}
    save(os.path.join(OUT, name + ".safetensors"), tensors, meta)


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(1)
    for i, case in enumerate(CASES):
        make_case(*case, seed=2000 + i)
        print("wrote", case[0])


if __name__ == "__main__":
    main()
