#!/usr/bin/python3
"""Writes the optimizer golden fixtures: 5 steps of torch.optim SGD / Adam / AdamW, with and without
torch.nn.utils.clip_grad_norm_, on the parameters of a small SequenceModel.

Run with Debian's python3 (which has python3-torch 1.13):
    /usr/bin/python3 lib-lstm/src/test/python/generate_optim_golden.py
Each case is one .safetensors file in lib-lstm/src/test/resources/golden/optim/, all float32, named
by state_dict name <p> (lstm.weight_ih_l0, ..., head.bias):
    params.0.<p>            the parameters before the first step
    grads.<k>.<p>           the gradient given at step k = 1..5 (before clipping)
    clipped.<k>.<p>, norm.<k>   the gradient after clip_grad_norm_ and the total norm it returned
                            (clipping cases only)
    params.<k>.<p>          the parameters after step k
    state.<k>.step, state.<k>.<buffer>.<p>   optimizer state: k = 0 when the case starts from a
                            given state (resume), and k = 5 (after the last step)
Metadata: "model" (the SequenceModel config, as in a model file), "optimizer" (the hyperparameters
under the train.optimizer key names; absent keys take the per-type default), "clip-grad-norm" (max
norm, or absent), "buffers" (the state buffer names in order), "steps", "torch".
The optimizers run their single-tensor (foreach=False) CPU code, the path the Java code reproduces.
"""
import json
import os

import torch
from torch import nn
from torch.nn.utils import clip_grad_norm_

from safetensors_io import save

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "golden", "optim")
STEPS = 5
LSTM = dict(input_size=3, hidden_size=5, num_layers=2, bias=True, batch_first=False, dropout=0.0,
            bidirectional=False, proj_size=0)
HEAD = dict(out_features=2, mode="last")

# name, train.optimizer keys (absent = default), clip modes, gradient kind, start from a given state
CONFIGS = [
    ("sgd_plain", {"type": "sgd", "learning-rate": 0.1}),
    ("sgd_momentum_dampening", {"type": "sgd", "learning-rate": 0.05, "momentum": 0.9, "dampening": 0.3}),
    ("sgd_nesterov_wd", {"type": "sgd", "learning-rate": 0.05, "momentum": 0.8, "nesterov": True,
                         "weight-decay": 0.01}),
    ("adam_default", {"type": "adam"}),
    ("adam_weight_decay", {"type": "adam", "learning-rate": 0.01, "weight-decay": 0.1}),
    ("adam_amsgrad", {"type": "adam", "learning-rate": 0.01, "amsgrad": True}),
    ("adamw_default", {"type": "adamw"}),
    ("adamw_custom", {"type": "adamw", "learning-rate": 0.003, "beta1": 0.8, "beta2": 0.99, "epsilon": 1e-6,
                      "weight-decay": 0.05}),
]
CLIP_SMALL = 1.0     # the gradients' total norm is ~80..700: clips at every step
CLIP_LARGE = 1000.0  # never reached: the clip coefficient is clamped to 1
EXTRA = [
    # gradients with elements up to ~1e15 (squares up to 1e30, still finite in float32)
    ("sgd_momentum_large_grad_clip", {"type": "sgd", "learning-rate": 0.1, "momentum": 0.9}, CLIP_SMALL, "large", False),
    ("adam_large_grad", {"type": "adam", "learning-rate": 0.01}, None, "large", False),
    # step 3 has an element of 3e19: its square overflows float32, the total norm is inf, and
    # clip_grad_norm_ (error_if_nonfinite=False) multiplies every gradient by 1/inf*max_norm = 0
    ("sgd_momentum_overflow_clip", {"type": "sgd", "learning-rate": 0.1, "momentum": 0.9}, CLIP_SMALL, "overflow", False),
    ("adamw_overflow_clip", {"type": "adamw", "learning-rate": 0.01}, CLIP_SMALL, "overflow", False),
    # resuming from a given state, as after the Spark driver averaged it: a fractional Adam step
    ("adam_resume_fractional_step", {"type": "adam", "learning-rate": 0.01}, None, "normal", True),
    ("adamw_amsgrad_resume_clip", {"type": "adamw", "learning-rate": 0.01, "amsgrad": True}, CLIP_SMALL, "normal", True),
    ("sgd_resume_momentum", {"type": "sgd", "learning-rate": 0.05, "momentum": 0.9, "dampening": 0.1}, None, "normal", True),
]


def make_model():
    lstm = nn.LSTM(**LSTM)
    head = nn.Linear(LSTM["hidden_size"], HEAD["out_features"])
    params = {"lstm." + n: p for n, p in lstm.named_parameters()}
    params.update({"head." + n: p for n, p in head.named_parameters()})
    return params


def torch_optimizer(cfg, params):
    t = cfg["type"]
    lr = cfg.get("learning-rate")
    if t == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=cfg.get("momentum", 0), dampening=cfg.get("dampening", 0),
                               weight_decay=cfg.get("weight-decay", 0), nesterov=cfg.get("nesterov", False),
                               foreach=False)
    kw = {}
    if lr is not None:
        kw["lr"] = lr
    if "beta1" in cfg or "beta2" in cfg:
        kw["betas"] = (cfg.get("beta1", 0.9), cfg.get("beta2", 0.999))
    if "epsilon" in cfg:
        kw["eps"] = cfg["epsilon"]
    if "weight-decay" in cfg:
        kw["weight_decay"] = cfg["weight-decay"]
    kw["amsgrad"] = cfg.get("amsgrad", False)
    cls = torch.optim.Adam if t == "adam" else torch.optim.AdamW
    return cls(params, foreach=False, **kw)


def buffer_names(cfg):
    if cfg["type"] == "sgd":
        return ["momentum_buffer"] if cfg.get("momentum", 0) != 0 else []
    return ["exp_avg", "exp_avg_sq"] + (["max_exp_avg_sq"] if cfg.get("amsgrad", False) else [])


def gradient(p, step, kind):
    """A random gradient with a per-tensor and per-step scale (so AMSGrad's max matters)."""
    scale = 10 ** (torch.rand(()) * 2 - 1) * (1 + step)
    g = torch.randn_like(p) * scale
    if kind == "large" and p.dim() == 2:
        idx = torch.randint(0, p.numel(), (3,))
        g.view(-1)[idx] = torch.tensor([1e15, -3e12, 7e9])
    if kind == "overflow" and step == 3 and p.dim() == 2 and p.shape[1] == 3:
        g.view(-1)[5] = 3e19
    return g


def given_state(opt, params, buffers, step0):
    for p in params.values():
        st = {"step": torch.tensor(step0)} if "exp_avg" in buffers else {}
        for b in buffers:
            v = torch.randn_like(p) * 0.1
            st[b] = v * v if b.endswith("sq") else v
        if "max_exp_avg_sq" in st:
            st["max_exp_avg_sq"] = torch.maximum(st["max_exp_avg_sq"], st["exp_avg_sq"])
        opt.state[p] = st


def record_state(tensors, k, opt, params, buffers, step):
    tensors[f"state.{k}.step"] = torch.tensor([float(step)])
    for name, p in params.items():
        for b in buffers:
            tensors[f"state.{k}.{b}.{name}"] = opt.state[p][b].clone()


def make_case(name, cfg, clip, kind, resume, seed):
    torch.manual_seed(seed)
    params = make_model()
    opt = torch_optimizer(cfg, list(params.values()))
    buffers = buffer_names(cfg)
    tensors = {}
    step = 0.0
    if resume:
        step = 2.5 if cfg["type"] != "sgd" else 3.0
        given_state(opt, params, buffers, step)
        record_state(tensors, 0, opt, params, buffers, step)
    for n, p in params.items():
        tensors[f"params.0.{n}"] = p.detach().clone()
    for k in range(1, STEPS + 1):
        for n, p in params.items():
            p.grad = gradient(p, k, kind)
            tensors[f"grads.{k}.{n}"] = p.grad.clone()
        if clip is not None:
            norm = clip_grad_norm_(list(params.values()), clip)
            if kind != "overflow":
                assert (norm > clip) == (clip == CLIP_SMALL), f"{name}: norm {norm} vs max_norm {clip}"
            tensors[f"norm.{k}"] = norm.reshape(1).clone()
            for n, p in params.items():
                tensors[f"clipped.{k}.{n}"] = p.grad.clone()
        opt.step()
        step += 1
        for n, p in params.items():
            tensors[f"params.{k}.{n}"] = p.detach().clone()
    record_state(tensors, STEPS, opt, params, buffers, step)
    if buffers and buffers[0] == "exp_avg":
        assert all(float(opt.state[p]["step"]) == step for p in params.values())
    meta = {"model": json.dumps({"lstm": LSTM, "head": HEAD}), "optimizer": json.dumps(cfg),
            "buffers": json.dumps(buffers), "steps": STEPS, "torch": torch.__version__, "case": name}
    if clip is not None:
        meta["clip-grad-norm"] = repr(clip)
    save(os.path.join(OUT, name + ".safetensors"), tensors, meta)


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(1)
    cases = []
    for name, cfg in CONFIGS:
        cases.append((name, cfg, None, "normal", False))
        cases.append((name + "_clip", cfg, CLIP_SMALL, "normal", False))
        cases.append((name + "_noclip", cfg, CLIP_LARGE, "normal", False))
    cases += EXTRA
    for i, case in enumerate(cases):
        make_case(*case, seed=2000 + i)
        print("wrote", case[0])


if __name__ == "__main__":
    main()
