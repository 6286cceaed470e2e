#!/usr/bin/python3
"""Writes model files as a PyTorch user would, for ModelFilePyTorchTest.

Run with Debian's python3 (which has python3-torch 1.13):
    /usr/bin/python3 lib-lstm/src/test/python/generate_model_files.py
For each case, in lib-lstm/src/test/resources/golden/modelfile/:
  <case>.model.safetensors     the state_dict of SequenceModel (or of a bare nn.LSTM), written in the
                               layout of Hugging Face's safetensors.torch.save_file: tensors sorted by
                               name in the data, compact JSON header with __metadata__ first, padded
                               with spaces to a multiple of 8 bytes
  <case>.expected.safetensors  an input batch and PyTorch's output, h_n, c_n and head output for it
                               (eval mode), plus every parameter as param.<state_dict name>
The metadata varies by case: our full metadata, only {"format": "pt"}, or none at all.
"""
import json
import os
import struct

import torch
from torch import nn

from safetensors_io import save

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "golden", "modelfile")


class SequenceModel(nn.Module):
    """What spark-lstm trains: an nn.LSTM and an optional linear head on it."""

    def __init__(self, lstm_kwargs, out_features, mode):
        super().__init__()
        self.lstm = nn.LSTM(**lstm_kwargs)
        d = 2 if self.lstm.bidirectional else 1
        h_out = self.lstm.proj_size or self.lstm.hidden_size
        self.head = nn.Linear(d * h_out, out_features) if out_features else None
        self.mode = mode

    def forward(self, x):
        output, (h_n, c_n) = self.lstm(x)
        if self.head is None:
            return output, h_n, c_n, None
        if self.mode == "last":
            d = 2 if self.lstm.bidirectional else 1
            top = h_n.view(self.lstm.num_layers, d, h_n.shape[1], h_n.shape[2])[-1]  # (D, B, H_out)
            features = top.permute(1, 0, 2).reshape(h_n.shape[1], -1)              # (B, D*H_out) [fwd | bwd]
            return output, h_n, c_n, self.head(features)
        return output, h_n, c_n, self.head(output)                                  # every step


def save_hf_layout(path, tensors, metadata):
    """safetensors.torch.save_file's layout (all F32 here, so sorted by name)."""
    header = {}
    if metadata is not None:
        header["__metadata__"] = dict(sorted(metadata.items()))
    offset = 0
    blobs = []
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous()
        assert t.dtype == torch.float32
        data = t.numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    js = json.dumps(header, separators=(",", ":")).encode("utf-8")
    js += b" " * ((8 - len(js) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(js)))
        f.write(js)
        for b in blobs:
            f.write(b)


def spark_lstm_metadata(lstm, out_features, mode):
    config = {
        "lstm": dict(input_size=lstm.input_size, hidden_size=lstm.hidden_size, num_layers=lstm.num_layers,
                     bias=lstm.bias, batch_first=lstm.batch_first, dropout=lstm.dropout,
                     bidirectional=lstm.bidirectional, proj_size=lstm.proj_size),
        "head": {"out_features": out_features, "mode": mode} if out_features else None,
    }
    return {"format": "pt", "spark-lstm.config": json.dumps(config), "spark-lstm.format-version": "1"}


CASES = [
    # name, nn.LSTM kwargs, head out_features (0 = none), mode, metadata kind, T, B
    ("seq_meta", dict(input_size=3, hidden_size=6, num_layers=2, bidirectional=True, proj_size=2,
                      batch_first=True, dropout=0.25), 3, "last", "spark-lstm", 5, 4),
    ("seq_format_only", dict(input_size=4, hidden_size=5, num_layers=2, bias=False), 2, "every-step", "format", 6, 3),
    ("seq_no_metadata", dict(input_size=2, hidden_size=7, num_layers=3, bidirectional=True, proj_size=4),
     1, "last", "none", 4, 2),
    ("bare_lstm", dict(input_size=3, hidden_size=8, num_layers=2, bidirectional=True, proj_size=3),
     0, None, "bare", 5, 3),
]


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, kwargs, out_features, mode, kind, steps, batch in CASES:
        torch.manual_seed(len(name) * 1000 + steps)
        model = SequenceModel(kwargs, out_features, mode).eval()
        if kind == "bare":
            state = model.lstm.state_dict()          # weight_ih_l0, ... without the "lstm." prefix
            metadata = None
        else:
            state = model.state_dict()               # lstm.weight_ih_l0, ..., head.weight, head.bias
            metadata = {"spark-lstm": spark_lstm_metadata(model.lstm, out_features, mode),
                        "format": {"format": "pt"}, "none": None}[kind]
        save_hf_layout(os.path.join(OUT, name + ".model.safetensors"), state, metadata)

        shape = (batch, steps, kwargs["input_size"]) if kwargs.get("batch_first") else (steps, batch, kwargs["input_size"])
        x = torch.randn(*shape)
        with torch.no_grad():
            output, h_n, c_n, head_output = model(x)
        expected = {"input": x, "output": output, "h_n": h_n, "c_n": c_n}
        if head_output is not None:
            expected["head_output"] = head_output
        for k, v in state.items():
            expected["param." + k] = v
        save(os.path.join(OUT, name + ".expected.safetensors"), expected,
             {"case": name, "mode": mode or "", "metadata": kind})
        print(name, {k: tuple(v.shape) for k, v in expected.items() if not k.startswith("param.")})


if __name__ == "__main__":
    main()
