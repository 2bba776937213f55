"""Learning-rate schedules step by step for tests/Lfm2Vl.Nn.Tests (ScheduleFixtureTests).

Each fixture holds "lr": [steps + 1, groups], the lr of every group after construction (row 0) and after
each scheduler.step(). Two groups with different base lrs check that each group is scaled separately.
Run: /usr/bin/python3 tests/pytorch/gen_schedule_fixtures.py
"""
import torch
from torch.optim import lr_scheduler as S

from fixture_io import save

BASE_LRS = [0.1, 0.02]


def optimizer():
    params = [torch.zeros(2, requires_grad=True), torch.zeros(2, requires_grad=True)]
    return torch.optim.SGD([{"params": [params[0]], "lr": BASE_LRS[0]}, {"params": [params[1]], "lr": BASE_LRS[1]}], lr=BASE_LRS[0])


def record(name, meta, steps, build, metrics=None):
    opt = optimizer()
    sched = build(opt)
    rows = [[g["lr"] for g in opt.param_groups]]
    for t in range(steps):
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[t])
        rows.append([g["lr"] for g in opt.param_groups])
    tensors = {"lr": torch.tensor(rows, dtype=torch.float64)}
    if metrics is not None:
        tensors["metrics"] = torch.tensor(metrics, dtype=torch.float64)
    meta = dict(meta, base_lrs=BASE_LRS, steps=steps)
    save("schedules", name, tensors, meta)


def main():
    record("step_lr", {"schedule": "step", "step_size": 3, "gamma": 0.5}, 12,
           lambda o: S.StepLR(o, step_size=3, gamma=0.5))
    record("multistep_lr", {"schedule": "multistep", "milestones": [2, 5, 5, 9], "gamma": 0.3}, 12,
           lambda o: S.MultiStepLR(o, milestones=[2, 5, 5, 9], gamma=0.3))
    record("cosine_lr", {"schedule": "cosine", "t_max": 10, "eta_min": 0.001}, 10,
           lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.001))

    def warmup_cosine(o):
        warm = S.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=4)
        cos = S.CosineAnnealingLR(o, T_max=8, eta_min=0.0005)
        return S.SequentialLR(o, schedulers=[warm, cos], milestones=[4])
    record("warmup_cosine_lr", {"schedule": "warmup_cosine", "warmup": 4, "start_factor": 0.1, "t_max": 8, "eta_min": 0.0005}, 12,
           warmup_cosine)

    def warmup_step(o):
        warm = S.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=3)
        step = S.StepLR(o, step_size=2, gamma=0.5)
        return S.SequentialLR(o, schedulers=[warm, step], milestones=[3])
    record("warmup_step_lr", {"schedule": "warmup_step", "warmup": 3, "start_factor": 0.25, "step_size": 2, "gamma": 0.5}, 10,
           warmup_step)

    record("onecycle_lr", {"schedule": "onecycle", "max_lr": [0.5, 0.1], "total_steps": 20, "pct_start": 0.3,
                           "div_factor": 25.0, "final_div_factor": 1e4, "three_phase": False, "anneal": "cos"}, 20,
           lambda o: S.OneCycleLR(o, max_lr=[0.5, 0.1], total_steps=20, pct_start=0.3, div_factor=25.0,
                                  final_div_factor=1e4, cycle_momentum=False))
    record("onecycle_three_phase_linear_lr", {"schedule": "onecycle", "max_lr": [0.4, 0.2], "total_steps": 16, "pct_start": 0.25,
                                              "div_factor": 10.0, "final_div_factor": 100.0, "three_phase": True, "anneal": "linear"}, 16,
           lambda o: S.OneCycleLR(o, max_lr=[0.4, 0.2], total_steps=16, pct_start=0.25, div_factor=10.0, final_div_factor=100.0,
                                  three_phase=True, anneal_strategy="linear", cycle_momentum=False))

    # Plateau: a loss that improves, stalls, improves slightly (below threshold), and stalls again.
    losses = [1.0, 0.8, 0.7, 0.7, 0.71, 0.69995, 0.7, 0.5, 0.5, 0.5, 0.5, 0.5, 0.49, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
    record("plateau_min_lr", {"schedule": "plateau", "mode": "min", "factor": 0.5, "patience": 2, "threshold": 0.01,
                              "threshold_mode": "rel", "cooldown": 1, "min_lr": [0.02, 0.004]}, len(losses),
           lambda o: S.ReduceLROnPlateau(o, mode="min", factor=0.5, patience=2, threshold=0.01, threshold_mode="rel",
                                         cooldown=1, min_lr=[0.02, 0.004]), metrics=losses)
    accs = [0.1, 0.2, 0.2, 0.2, 0.25, 0.25, 0.25, 0.25, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3]
    record("plateau_max_abs_lr", {"schedule": "plateau", "mode": "max", "factor": 0.1, "patience": 1, "threshold": 0.02,
                                  "threshold_mode": "abs", "cooldown": 0, "min_lr": [0.0, 0.0]}, len(accs),
           lambda o: S.ReduceLROnPlateau(o, mode="max", factor=0.1, patience=1, threshold=0.02, threshold_mode="abs"),
           metrics=accs)
    print("wrote schedule fixtures")


if __name__ == "__main__":
    main()
