#!/usr/bin/python3
"""Writes 5-step training trajectories of SequenceModel under torch.optim, for Trainer.step to replay.

Run with Debian's python3 (python3-torch 1.13):
    /usr/bin/python3 lib-lstm/src/test/python/generate_trajectory_golden.py
Each case (lib-lstm/src/test/resources/golden/trajectory/<case>.safetensors) trains the SequenceModel
of generate_model_golden.py (nn.LSTM + nn.Linear head, same losses, packing and truncated BPTT) for
5 steps, one fixed batch per step, exactly as a PyTorch training loop does:
    loss = criterion(model(x), y); loss.backward(); clip_grad_norm_(params, max_norm); opt.step()
Tensors (float32):
    params.0.<p>                 the initial parameters (state_dict names: lstm.*, head.*)
    batch.<k>.features           (B, T, I) padded, zero past each length     k = 1..5
    batch.<k>.lengths            (B) in any order
    batch.<k>.labels             as in generate_model_golden.py (last: (B, out) or (B); every-step:
                                 (B, T, out) or (B, T), zero past the length)
    loss.<k>                     the mean loss of batch k before step k
    norm.<k>                     the total gradient norm clip_grad_norm_ returned (clipping cases)
    params.<k>.<p>               the parameters after step k
Metadata: "lstm" (nn.LSTM kwargs), "head" ({out_features, mode} or null), "loss", "tbptt",
"optimizer" (train.optimizer keys; absent = per-type default), "clip-grad-norm" (absent = off),
"steps", "torch", "case". Optimizers run their single-tensor (foreach=False) code. Dropout is 0:
PyTorch's dropout masks cannot be reproduced, and the gradient checks cover dropout.
"""
import json
import os

import torch
from torch.nn.utils import clip_grad_norm_

from generate_model_golden import SequenceModel, loss_terms, run_chunk
from generate_optim_golden import torch_optimizer
from safetensors_io import save

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "golden", "trajectory")
STEPS = 5
T, B = 6, 4

SGD = {"type": "sgd", "learning-rate": 0.1, "momentum": 0.9, "nesterov": True, "weight-decay": 0.01}
ADAM = {"type": "adam", "learning-rate": 0.01, "weight-decay": 0.05}
ADAMW = {"type": "adamw", "learning-rate": 0.02, "weight-decay": 0.1}

MODELS = {
    "last_mse_layers2": (dict(input_size=3, hidden_size=5, num_layers=2), (2, "last"), "mse", 0),
    "every_ce_bidir": (dict(input_size=3, hidden_size=4, bidirectional=True), (3, "every-step"), "cross-entropy", 0),
    "last_ce_proj": (dict(input_size=2, hidden_size=6, proj_size=3), (4, "last"), "cross-entropy", 0),
    "every_mse_tbptt": (dict(input_size=2, hidden_size=4, num_layers=2), (1, "every-step"), "mse", 3),
    "nohead_last_mse": (dict(input_size=3, hidden_size=4, bias=False), None, "mse", 0),
}

# name, model, optimizer, clip max_norm (None = off; otherwise small enough to clip at every step)
CASES = [
    ("sgd_nesterov_wd", "last_mse_layers2", SGD, None),
    ("sgd_nesterov_wd_clip", "last_mse_layers2", SGD, 0.05),
    ("adam_wd", "every_ce_bidir", ADAM, None),
    ("adam_wd_clip", "every_ce_bidir", ADAM, 0.05),
    ("adamw", "last_ce_proj", ADAMW, None),
    ("adamw_clip", "last_ce_proj", ADAMW, 0.05),
    ("adamw_tbptt_every_mse_clip", "every_mse_tbptt", {"type": "adamw", "learning-rate": 0.01}, 0.05),
    ("sgd_dampening_nohead_clip", "nohead_last_mse", {"type": "sgd", "learning-rate": 0.5, "momentum": 0.5,
                                                      "dampening": 0.1}, 0.05),
    ("adam_default_every_ce", "every_ce_bidir", {"type": "adam"}, None),
]


def make_batch(model, loss, out_size):
    """A random padded batch with variable lengths in random order (one row at full length)."""
    lstm = model.lstm
    x = torch.randn(B, T, lstm.input_size)
    lengths = torch.randint(1, T + 1, (B,))
    lengths[torch.randint(0, B, ())] = T
    steps = torch.arange(T)[None, :] < lengths[:, None]
    x = x * steps[..., None]
    if model.mode == "last":
        labels = torch.randn(B, out_size) if loss == "mse" else torch.randint(0, out_size, (B,)).float()
        count = B * out_size if loss == "mse" else B
    else:
        labels = torch.randn(B, T, out_size) if loss == "mse" else torch.randint(0, out_size, (B, T)).float()
        labels = labels * (steps[..., None] if loss == "mse" else steps)
        count = int(lengths.sum()) * (out_size if loss == "mse" else 1)
    return x, lengths, labels, steps, count


def loss_and_backward(model, x, lengths, labels, steps, count, loss, tbptt):
    """The batch's mean loss with gradients accumulated, as in generate_model_golden.make_case."""
    lstm = model.lstm
    d = 2 if lstm.bidirectional else 1
    layers = lstm.num_layers * d
    state = (torch.zeros(layers, B, lstm.proj_size or lstm.hidden_size), torch.zeros(layers, B, lstm.hidden_size))
    k = tbptt if tbptt > 0 else T
    total = 0.0
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
    return total


def train(model_name, opt_cfg, clip, seed, batches, dtype):
    """5 steps from the model seeded by `seed`, in `dtype`; returns the tensors to record."""
    kwargs, head, loss, tbptt = MODELS[model_name]
    torch.manual_seed(seed)
    model = SequenceModel(kwargs, head).to(dtype)
    params = dict(model.named_parameters())
    opt = torch_optimizer(opt_cfg, list(params.values()))
    tensors = {f"params.0.{n}": p.detach().clone() for n, p in params.items()}
    torch.set_default_dtype(dtype)  # the zero states and padded outputs of run_chunk
    for k, (x, lengths, labels, steps, count) in enumerate(batches, start=1):
        opt.zero_grad(set_to_none=False)
        total = loss_and_backward(model, x.to(dtype), lengths, labels.to(dtype), steps, count, loss, tbptt)
        if clip is not None:
            norm = clip_grad_norm_(list(params.values()), clip)
            assert norm > clip, f"step {k}: norm {float(norm)} does not exceed max_norm {clip}"
            tensors[f"norm.{k}"] = norm.reshape(1).clone()
        opt.step()
        tensors[f"batch.{k}.features"] = x
        tensors[f"batch.{k}.lengths"] = lengths.float()
        tensors[f"batch.{k}.labels"] = labels
        tensors[f"loss.{k}"] = torch.tensor([total], dtype=torch.float64).float()
        for n, p in params.items():
            tensors[f"params.{k}.{n}"] = p.detach().clone()
    torch.set_default_dtype(torch.float32)
    return model, tensors


def close_error(expected, actual):
    """The relative error that testing/Close measures: floor a tenth of the tensor's largest value."""
    floor = 0.1 * expected.abs().max()
    return float(((actual - expected).abs() / torch.maximum(expected.abs(), floor)).max())


def make_case(name, model_name, opt_cfg, clip, seed):
    kwargs, head, loss, tbptt = MODELS[model_name]
    torch.manual_seed(seed)
    probe = SequenceModel(kwargs, head)
    lstm = probe.lstm
    d = 2 if lstm.bidirectional else 1
    out_size = head[0] if head else d * (lstm.proj_size or lstm.hidden_size)
    torch.manual_seed(seed + 1)
    batches = [make_batch(probe, loss, out_size) for _ in range(STEPS)]
    model, tensors = train(model_name, opt_cfg, clip, seed, batches, torch.float32)
    # The case must be well-conditioned: float32 and float64 training agree far inside the Java test's
    # 1e-5, or a float32 reimplementation could not match it (Adam's g / (|g| + eps) amplifies the
    # rounding of gradients near eps, e.g. an element of 1e-9 after clipping).
    _, exact = train(model_name, opt_cfg, clip, seed, batches, torch.float64)
    worst = max(close_error(exact[key], tensors[key].double()) for key in tensors
                if key.startswith("params.") or key.startswith("loss."))
    assert worst < 2e-6, f"{name}: float32 and float64 PyTorch trajectories differ by {worst:.3g}"
    lstm = model.lstm
    meta = {"lstm": json.dumps(dict(input_size=lstm.input_size, hidden_size=lstm.hidden_size,
                                    num_layers=lstm.num_layers, bias=lstm.bias, batch_first=True, dropout=0.0,
                                    bidirectional=lstm.bidirectional, proj_size=lstm.proj_size)),
            "head": json.dumps({"out_features": head[0], "mode": head[1]} if head else None),
            "loss": loss, "tbptt": str(tbptt), "optimizer": json.dumps(opt_cfg), "steps": STEPS,
            "torch": torch.__version__, "case": name, "float64-error": f"{worst:.3g}"}
    if clip is not None:
        meta["clip-grad-norm"] = repr(clip)
    save(os.path.join(OUT, name + ".safetensors"), tensors, meta)
    return worst


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(1)
    for i, case in enumerate(CASES):
        worst = make_case(*case, seed=3000 + i)
        print(f"wrote {case[0]} (float32 vs float64 PyTorch: {worst:.3g})")


if __name__ == "__main__":
    main()
