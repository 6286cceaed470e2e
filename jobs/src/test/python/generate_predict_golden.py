#!/usr/bin/python3
"""Fixtures for PredictGoldenTest: what `spark-lstm predict` must write, computed by PyTorch.

Run with Debian's python3 (python3-torch 1.13):
    /usr/bin/python3 jobs/src/test/python/generate_predict_golden.py
For each case, in jobs/src/test/resources/golden/predict/:
  <case>.model.safetensors   the SequenceModel's state_dict (nn.LSTM + nn.Linear head), with our metadata
                             ({"format": "pt", "spark-lstm.config": ..., "spark-lstm.format-version": "1"}),
                             or, for the "format" case, only {"format": "pt"} as PyTorch users write it
  <case>.input/part-*.json   the input table as JSON lines, in two files (two Spark partitions): id,
                             features [T][I] with lengths varying from row to row (1 to 6), and for some
                             cases h0 [L*D][H_out] and c0 [L*D][H]
  <case>.expected.json       JSON lines: id, then per state ("zero": no initial state, "given": h0/c0 from
                             the row) the row's prediction ([out] for head mode last, [T][out] for
                             every-step), output [T][D*H_out], h_n [L*D][H_out] and c_n [L*D][H]
Expected values: the model in eval mode (so dropout is off) on the whole table as one batch, packed
with pack_padded_sequence(enforce_sorted=False) (nn.LSTM then sorts h0/c0 into its order itself), in
float32. JSON floats are the float32 values written exactly (Python's repr of the double).
"""
import json
import os
import sys

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "..", "lib-lstm", "src", "test", "python"))
from safetensors_io import save  # noqa: E402

OUT = os.path.join(HERE, "..", "resources", "golden", "predict")


class SequenceModel(nn.Module):
    """What spark-lstm trains: an nn.LSTM and a linear head on its last state or on every step."""

    def __init__(self, lstm_kwargs, out_features, mode):
        super().__init__()
        self.lstm = nn.LSTM(**lstm_kwargs)
        d = 2 if self.lstm.bidirectional else 1
        self.head = nn.Linear(d * (self.lstm.proj_size or self.lstm.hidden_size), out_features)
        self.mode = mode

    def forward(self, seqs, state):
        """seqs: list of (T_b, I); state: (h0, c0) in batch order or None. Per-row results."""
        lengths = torch.tensor([len(s) for s in seqs])
        padded = nn.utils.rnn.pad_sequence(seqs)                              # (T_max, B, I)
        packed = pack_padded_sequence(padded, lengths, enforce_sorted=False)
        out_packed, (h_n, c_n) = self.lstm(packed, state)
        output, _ = pad_packed_sequence(out_packed)                           # (T_max, B, D*H_out)
        if self.mode == "last":
            d = 2 if self.lstm.bidirectional else 1
            top = h_n.view(self.lstm.num_layers, d, h_n.shape[1], h_n.shape[2])[-1]  # (D, B, H_out)
            prediction = self.head(top.permute(1, 0, 2).reshape(h_n.shape[1], -1))  # (B, out) [fwd | bwd]
            per_row = [prediction[b] for b in range(len(seqs))]
        else:
            prediction = self.head(output)                                    # (T_max, B, out)
            per_row = [prediction[:n, b] for b, n in enumerate(lengths.tolist())]
        return [dict(prediction=per_row[b], output=output[:n, b], h_n=h_n[:, b], c_n=c_n[:, b])
                for b, n in enumerate(lengths.tolist())]


def metadata(lstm, out_features, mode, kind):
    if kind == "format":
        return {"format": "pt"}
    config = {
        "lstm": dict(input_size=lstm.input_size, hidden_size=lstm.hidden_size, num_layers=lstm.num_layers,
                     bias=lstm.bias, batch_first=lstm.batch_first, dropout=lstm.dropout,
                     bidirectional=lstm.bidirectional, proj_size=lstm.proj_size),
        "head": {"out_features": out_features, "mode": mode},
    }
    return {"format": "pt", "spark-lstm.config": json.dumps(config), "spark-lstm.format-version": "1"}


CASES = [
    # name, nn.LSTM kwargs, head out_features, head mode, metadata kind, with h0/c0 columns
    ("last_bidir_proj", dict(input_size=3, hidden_size=5, num_layers=2, bidirectional=True, proj_size=2), 2,
     "last", "spark-lstm", True),
    ("every_step_layers2", dict(input_size=2, hidden_size=4, num_layers=2, dropout=0.3, batch_first=True), 3,
     "every-step", "spark-lstm", False),
    ("last_nobias", dict(input_size=4, hidden_size=3, bias=False), 1, "last", "spark-lstm", True),
    # exported from PyTorch without our config: the architecture comes from the tensor shapes, the head's
    # mode from the predict config (model.head.mode = every-step)
    ("format_only_every_step", dict(input_size=3, hidden_size=6, num_layers=2, bidirectional=True, proj_size=4), 2,
     "every-step", "format", True),
]
LENGTHS = [3, 1, 6, 2, 5, 1, 4, 6, 2]


def floats(t):
    return t.detach().tolist()


def main():
    os.makedirs(OUT, exist_ok=True)
    for case, kwargs, out_features, mode, kind, with_state in CASES:
        torch.manual_seed(sum(map(ord, case)))
        model = SequenceModel(kwargs, out_features, mode).eval()
        save(os.path.join(OUT, case + ".model.safetensors"), model.state_dict(),
             metadata(model.lstm, out_features, mode, kind))

        lstm = model.lstm
        rows = lstm.num_layers * (2 if lstm.bidirectional else 1)
        h_out = lstm.proj_size or lstm.hidden_size
        seqs = [torch.randn(n, lstm.input_size) for n in LENGTHS]
        h0 = torch.randn(rows, len(seqs), h_out)
        c0 = torch.randn(rows, len(seqs), lstm.hidden_size)
        with torch.no_grad():
            results = {"zero": model(seqs, None)}
            if with_state:
                results["given"] = model(seqs, (h0, c0))

        inputs = []
        for b, x in enumerate(seqs):
            row = {"id": b, "features": floats(x)}
            if with_state:
                row["h0"] = floats(h0[:, b])
                row["c0"] = floats(c0[:, b])
            inputs.append(row)
        os.makedirs(os.path.join(OUT, case + ".input"), exist_ok=True)
        half = len(inputs) // 2
        for part, chunk in enumerate([inputs[:half], inputs[half:]]):
            with open(os.path.join(OUT, case + ".input", "part-%d.json" % part), "w") as f:
                f.writelines(json.dumps(r) + "\n" for r in chunk)

        with open(os.path.join(OUT, case + ".expected.json"), "w") as f:
            for b in range(len(seqs)):
                line = {"id": b}
                for state, per_row in results.items():
                    line[state] = {k: floats(v) for k, v in per_row[b].items()}
                f.write(json.dumps(line) + "\n")
        print(case, "rows", len(seqs), "states", list(results))


if __name__ == "__main__":
    main()
