"""Optimizer trajectories for tests/Lfm2Vl.Nn.Tests (OptimizerFixtureTests).

Each case minimises loss = mean((tanh(x @ w.T + b) - y)^2) for a few steps in float64 and records the
parameters after every step. The C# test rebuilds the optimizer from the fixture's meta and replays it.
Run: /usr/bin/python3 tests/pytorch/gen_optim_fixtures.py
"""
import torch

from fixture_io import save

STEPS = 8


def problem():
    g = torch.Generator().manual_seed(1234)
    x = torch.randn(5, 4, generator=g, dtype=torch.float64)
    y = torch.randn(5, 3, generator=g, dtype=torch.float64) * 0.5
    w = torch.randn(3, 4, generator=g, dtype=torch.float64) * 0.5
    b = torch.randn(3, generator=g, dtype=torch.float64) * 0.1
    return x, y, w, b


def make_optimizer(meta, w, b):
    kind = meta["optimizer"]
    opts = {k: v for k, v in meta.items() if k not in ("optimizer", "groups")}
    if "betas" in opts:
        opts["betas"] = tuple(opts["betas"])
    if "groups" in meta:
        by_name = {"w": w, "b": b}
        params = [dict(params=[by_name[n] for n in grp["params"]], **{k: v for k, v in grp.items() if k != "params"})
                  for grp in meta["groups"]]
    else:
        params = [w, b]
    cls = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}[kind]
    return cls(params, **opts)


def run(name, meta):
    x, y, w0, b0 = problem()
    w = w0.clone().requires_grad_(True)
    b = b0.clone().requires_grad_(True)
    opt = make_optimizer(meta, w, b)
    ws, bs, losses = [], [], []
    for _ in range(STEPS):
        opt.zero_grad()
        loss = ((torch.tanh(x @ w.T + b) - y) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(loss.detach())
        ws.append(w.detach().clone())
        bs.append(b.detach().clone())
    save("optim", name, {
        "x": x, "y": y, "w0": w0, "b0": b0,
        "w_traj": torch.stack(ws), "b_traj": torch.stack(bs), "loss": torch.stack(losses),
    }, meta)


CASES = {
    "sgd_plain": {"optimizer": "sgd", "lr": 0.3},
    "sgd_momentum": {"optimizer": "sgd", "lr": 0.2, "momentum": 0.9, "dampening": 0.1},
    "sgd_nesterov": {"optimizer": "sgd", "lr": 0.2, "momentum": 0.8, "nesterov": True, "weight_decay": 0.01},
    "sgd_weight_decay": {"optimizer": "sgd", "lr": 0.2, "momentum": 0.5, "weight_decay": 0.1},
    "adam": {"optimizer": "adam", "lr": 0.05, "betas": [0.9, 0.999], "eps": 1e-8},
    "adam_l2_amsgrad": {"optimizer": "adam", "lr": 0.05, "betas": [0.8, 0.99], "eps": 1e-6, "weight_decay": 0.1, "amsgrad": True},
    "adamw": {"optimizer": "adamw", "lr": 0.05, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.1},
    "adamw_amsgrad": {"optimizer": "adamw", "lr": 0.05, "betas": [0.85, 0.995], "eps": 1e-8, "weight_decay": 0.05, "amsgrad": True},
    "adamw_groups": {"optimizer": "adamw", "lr": 0.05, "weight_decay": 0.01,
                     "groups": [{"params": ["w"], "lr": 0.08, "weight_decay": 0.2}, {"params": ["b"], "weight_decay": 0.0}]},
    "sgd_groups": {"optimizer": "sgd", "lr": 0.1, "momentum": 0.9, "weight_decay": 0.0,
                   "groups": [{"params": ["w"], "weight_decay": 0.05}, {"params": ["b"], "lr": 0.02}]},
}

if __name__ == "__main__":
    for name, meta in CASES.items():
        run(name, meta)
    print(f"wrote {len(CASES)} optimizer fixtures")
