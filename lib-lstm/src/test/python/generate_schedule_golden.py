#!/usr/bin/python3
"""Learning rates per epoch from torch.optim.lr_scheduler, for LrScheduleGoldenTest.

Run with Debian's python3 (python3-torch 1.13):
    /usr/bin/python3 lib-lstm/src/test/python/generate_schedule_golden.py
Writes lib-lstm/src/test/resources/golden/schedule/schedules.json: a list of cases, each with the
spark-lstm settings (train.lr-schedule keys), the base lr, the validation losses fed to
ReduceLROnPlateau (plateau only) and "lr": the rate PyTorch trains epoch e with (param_groups[0]['lr']
before the e-th optimizer.step of the epoch), stepping the scheduler once per epoch.
"""
import json
import os
import warnings

import torch
from torch.optim import lr_scheduler as S

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "resources", "golden", "schedule")
warnings.filterwarnings("ignore")


def make(settings, opt):
    kind = settings["type"]
    if kind == "constant":
        return S.ConstantLR(opt, factor=1.0, total_iters=0)
    if kind == "step":
        return S.StepLR(opt, step_size=settings["step-size"], gamma=settings["gamma"])
    if kind == "exponential":
        return S.ExponentialLR(opt, gamma=settings["gamma"])
    if kind == "cosine":
        return S.CosineAnnealingLR(opt, T_max=settings["t-max"], eta_min=settings["eta-min"])
    raise ValueError(kind)


def run(settings, base, epochs, losses=None):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=base)
    warm = settings.get("warmup-epochs", 0)
    if settings["type"] == "plateau":
        sched = S.ReduceLROnPlateau(opt, mode="min", factor=settings["factor"], patience=settings["patience"],
                                    threshold=settings["threshold"], threshold_mode="rel",
                                    cooldown=settings["cooldown"], min_lr=settings["min-lr"])
    elif warm > 0:
        first = S.LinearLR(opt, start_factor=settings["warmup-start-factor"], end_factor=1.0, total_iters=warm)
        sched = S.SequentialLR(opt, [first, make(settings, opt)], milestones=[warm])
    else:
        sched = make(settings, opt)
    lrs = []
    for e in range(epochs):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        if losses is not None:
            sched.step(losses[e])
        else:
            sched.step()
    return lrs


def main():
    os.makedirs(OUT, exist_ok=True)
    cases = [
        ("constant", {"type": "constant"}, 0.01, 6, None),
        ("step", {"type": "step", "step-size": 3, "gamma": 0.5}, 0.02, 10, None),
        ("exponential", {"type": "exponential", "gamma": 0.8}, 0.002, 8, None),
        ("cosine past t-max", {"type": "cosine", "t-max": 6, "eta-min": 1e-4}, 0.01, 14, None),
        ("warm-up then cosine", {"type": "cosine", "t-max": 7, "eta-min": 0.0, "warmup-epochs": 3,
                                 "warmup-start-factor": 0.25}, 0.004, 10, None),
        ("warm-up then step", {"type": "step", "step-size": 2, "gamma": 0.1, "warmup-epochs": 2,
                               "warmup-start-factor": 1 / 3}, 0.1, 8, None),
        ("warm-up then constant", {"type": "constant", "warmup-epochs": 4, "warmup-start-factor": 0.1}, 0.5, 7,
         None),
        ("plateau", {"type": "plateau", "factor": 0.5, "patience": 1, "threshold": 0.01, "cooldown": 1,
                     "min-lr": 0.0011}, 0.01, 14,
         [1.0, 0.9, 0.895, 0.9, 0.7, 0.71, 0.705, 0.72, 0.6999, 0.6, 0.61, 0.62, 0.63, 0.64]),
    ]
    out = []
    for name, settings, base, epochs, losses in cases:
        lrs = run(settings, base, epochs, losses)
        print(name, ["%.6g" % x for x in lrs])
        case = {"name": name, "settings": settings, "base": base, "epochs": epochs, "lr": lrs}
        if losses is not None:
            case["losses"] = losses
        out.append(case)
    with open(os.path.join(OUT, "schedules.json"), "w") as f:
        json.dump({"torch": torch.__version__, "cases": out}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
