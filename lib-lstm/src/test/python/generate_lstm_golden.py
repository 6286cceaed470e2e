#!/usr/bin/python3
"""Writes the LSTM golden fixtures: forward outputs and every gradient, computed by PyTorch.

Run with Debian's python3 (which has python3-torch 1.13):
    /usr/bin/python3 lib-lstm/src/test/python/generate_lstm_golden.py
Each case is one .safetensors file in lib-lstm/src/test/resources/golden/lstm/: the nn.LSTM
parameters under their state_dict names, the inputs (input, lengths, h0, c0, dropout masks), the
upstream gradients (d_output, d_h_n, d_c_n), the outputs (output, h_n, c_n) and the gradients
(grad.<parameter>, grad.input, grad.h0, grad.c0), all float32 as PyTorch computes them. The same
case computed in float64 from the same values is stored as f64.<name> (rounded to float32): the
near-exact answer, to tell round-off from error. The nn.LSTM arguments are in the metadata.

Loss used for gradients: sum(output * d_output) + sum(h_n * d_h_n) + sum(c_n * d_c_n), so the
gradients are vector-Jacobian products with random upstream gradients.
Dropout cases use explicit masks (saved as mask_l<k>, shape of the padded layer output, values 0 or
1/(1-p)) between single-layer LSTMs, because nn.LSTM draws its masks from an unexportable RNG; the
script first checks that this stacking equals nn.LSTM when every mask is one.
"""
import json
import os

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from safetensors_io import save

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "golden", "lstm")

CASES = [
    # name, nn.LSTM kwargs, T, B, variable lengths, given h0/c0, unbatched
    ("classic", dict(input_size=10, hidden_size=20), 5, 3, False, False, False),
    ("layers2_nobias", dict(input_size=4, hidden_size=6, num_layers=2, bias=False), 6, 3, False, True, False),
    ("layers3_batchfirst", dict(input_size=5, hidden_size=4, num_layers=3, batch_first=True), 4, 2, False, True, False),
    ("bidir_layers2", dict(input_size=3, hidden_size=5, num_layers=2, bidirectional=True), 5, 4, False, True, False),
    ("proj_bidir", dict(input_size=4, hidden_size=7, num_layers=2, bidirectional=True, proj_size=3), 6, 3, False, True, False),
    ("proj_layers3", dict(input_size=3, hidden_size=6, num_layers=3, proj_size=2), 4, 2, False, False, False),
    ("unbatched_bidir", dict(input_size=3, hidden_size=4, num_layers=2, bidirectional=True), 5, 1, False, True, True),
    ("unbatched_default_state", dict(input_size=2, hidden_size=3), 4, 1, False, False, True),
    ("varlen_bidir_h0", dict(input_size=3, hidden_size=5, num_layers=2, bidirectional=True), 7, 5, True, True, False),
    ("varlen_proj_batchfirst", dict(input_size=4, hidden_size=6, num_layers=2, batch_first=True, proj_size=3,
                                    bidirectional=True), 6, 4, True, True, False),
    ("varlen_default_state", dict(input_size=2, hidden_size=4, num_layers=1), 5, 4, True, False, False),
    ("varlen_nobias_layers3", dict(input_size=3, hidden_size=3, num_layers=3, bias=False), 6, 3, True, True, False),
    ("dropout_bidir_layers3", dict(input_size=3, hidden_size=4, num_layers=3, bidirectional=True, dropout=0.4), 5, 3, True, True, False),
    ("dropout_proj_layers2", dict(input_size=3, hidden_size=5, num_layers=2, proj_size=2, dropout=0.5, batch_first=True), 4, 3, False, False, False),
    ("larger", dict(input_size=16, hidden_size=32, num_layers=2, bidirectional=True), 20, 8, True, True, False),
]


def run(lstm, x, lengths, state, total_length):
    """nn.LSTM on padded x, through pack_padded_sequence when lengths are given."""
    if lengths is None:
        return lstm(x, state)
    packed = pack_padded_sequence(x, lengths, batch_first=lstm.batch_first, enforce_sorted=False)
    o, hc = lstm(packed, state)
    out, _ = pad_packed_sequence(o, batch_first=lstm.batch_first, total_length=total_length)
    return out, hc


def run_with_masks(lstm, x, lengths, h0, c0, masks):
    """nn.LSTM's computation with given dropout masks: one single-layer LSTM per layer."""
    d = 2 if lstm.bidirectional else 1
    total_length = x.shape[1 if lstm.batch_first and x.dim() == 3 else 0]
    out = x
    hs, cs = [], []
    for layer in range(lstm.num_layers):
        single = nn.LSTM(out.shape[-1], lstm.hidden_size, 1, bias=lstm.bias, batch_first=lstm.batch_first,
                         bidirectional=lstm.bidirectional, proj_size=lstm.proj_size).to(x.dtype)
        for direction in range(d):
            sfx = "_reverse" if direction else ""
            for w in ["weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr"]:
                if hasattr(lstm, f"{w}_l{layer}{sfx}"):
                    setattr(single, f"{w}_l0{sfx}", getattr(lstm, f"{w}_l{layer}{sfx}"))
        if layer > 0:
            out = out * masks[layer]
        state = None if h0 is None else (h0[layer * d:(layer + 1) * d], c0[layer * d:(layer + 1) * d])
        out, (h, c) = run(single, out, lengths, state, total_length)
        hs.append(h)
        cs.append(c)
    return out, (torch.cat(hs, 0), torch.cat(cs, 0))


def compute(kwargs, T, B, varlen, given_state, unbatched, seed, dtype):
    """The case in float32, or in float64 from the same random draws (the near-exact reference)."""
    torch.manual_seed(seed)
    lstm = nn.LSTM(**kwargs)
    d = 2 if lstm.bidirectional else 1
    h_out = lstm.proj_size or lstm.hidden_size
    if unbatched:
        x = torch.randn(T, lstm.input_size)
    elif lstm.batch_first:
        x = torch.randn(B, T, lstm.input_size)
    else:
        x = torch.randn(T, B, lstm.input_size)
    lengths = None
    if varlen:
        lengths = torch.randint(1, T + 1, (B,))
        lengths[torch.randint(0, B, (1,))] = T  # the longest row reaches T
    state_shape = (lstm.num_layers * d,) if unbatched else (lstm.num_layers * d, B)
    h0 = c0 = None
    if given_state:
        h0 = torch.randn(*state_shape, h_out)
        c0 = torch.randn(*state_shape, lstm.hidden_size)
    masks = {}
    for layer in range(1, lstm.num_layers if lstm.dropout > 0 else 0):
        shape = (B, T, d * h_out) if lstm.batch_first else (T, B, d * h_out)
        masks[layer] = (torch.rand(*shape) >= lstm.dropout).float() / (1 - lstm.dropout)
    # upstream gradients, drawn now so float32 and float64 runs use the same values
    out_shape = x.shape[:-1] + (d * h_out,)
    d_out = torch.randn(out_shape)
    d_hn = torch.randn(*state_shape, h_out)
    d_cn = torch.randn(*state_shape, lstm.hidden_size)
    if varlen:  # PyTorch gives padding positions no gradient; keep them zero to say so
        for b, n in enumerate(lengths.tolist()):
            if lstm.batch_first:
                d_out[b, n:] = 0
            else:
                d_out[n:, b] = 0

    lstm = lstm.to(dtype)
    x = x.to(dtype).requires_grad_(True)
    if given_state:
        h0 = h0.to(dtype).requires_grad_(True)
        c0 = c0.to(dtype).requires_grad_(True)
    masks = {k: m.to(dtype) for k, m in masks.items()}
    if masks:
        out, (hn, cn) = run_with_masks(lstm, x, lengths, h0, c0, masks)
        ones = {k: torch.ones_like(m) for k, m in masks.items()}
        ref_out, _ = run(lstm.eval(), x, lengths, (h0, c0) if given_state else None, T)
        chk_out, _ = run_with_masks(lstm, x, lengths, h0, c0, ones)
        assert torch.allclose(ref_out, chk_out, atol=1e-6), "mask stacking differs from nn.LSTM"
        lstm.train()
    else:
        out, (hn, cn) = run(lstm, x, lengths, (h0, c0) if given_state else None, T)
    loss = (out * d_out.to(dtype)).sum() + (hn * d_hn.to(dtype)).sum() + (cn * d_cn.to(dtype)).sum()
    params = dict(lstm.named_parameters())
    wrt = list(params.values()) + [x] + ([h0, c0] if given_state else [])
    grads = torch.autograd.grad(loss, wrt)

    tensors = dict(params)
    tensors["input"] = x
    if lengths is not None:
        tensors["lengths"] = lengths.to(torch.float32)
    if given_state:
        tensors["h0"] = h0
        tensors["c0"] = c0
    for layer, m in masks.items():
        tensors[f"mask_l{layer}"] = m
    tensors.update({"d_output": d_out, "d_h_n": d_hn, "d_c_n": d_cn, "output": out, "h_n": hn, "c_n": cn})
    for (pname, _), g in zip(params.items(), grads):
        tensors["grad." + pname] = g
    tensors["grad.input"] = grads[len(params)]
    if given_state:
        tensors["grad.h0"] = grads[len(params) + 1]
        tensors["grad.c0"] = grads[len(params) + 2]
    full = dict(input_size=lstm.input_size, hidden_size=lstm.hidden_size, num_layers=lstm.num_layers,
                bias=lstm.bias, batch_first=lstm.batch_first, dropout=lstm.dropout,
                bidirectional=lstm.bidirectional, proj_size=lstm.proj_size)
    return tensors, {"lstm": json.dumps(full), "torch": torch.__version__}


def make_case(name, kwargs, T, B, varlen, given_state, unbatched, seed):
    tensors, meta = compute(kwargs, T, B, varlen, given_state, unbatched, seed, torch.float32)
    exact, _ = compute(kwargs, T, B, varlen, given_state, unbatched, seed, torch.float64)
    for k in ["output", "h_n", "c_n"] + [k for k in exact if k.startswith("grad.")]:
        tensors["f64." + k] = exact[k].to(torch.float32)
    meta["case"] = name
    save(os.path.join(OUT, name + ".safetensors"), tensors, meta)


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(1)
    for i, case in enumerate(CASES):
        make_case(*case, seed=1000 + i)
        print("wrote", case[0])


if __name__ == "__main__":
    main()
