"""Case machinery shared by the fixture generators: a registry of named cases, per-case random inputs, and
`run`, which executes one op in float64, back-propagates a random upstream gradient and saves the fixture.

Fixture layout (read by tests/Lfm2Vl.Engine.Tests/Reference/FixtureReplay.cs):
  meta.op       which engine op to run (the C# side maps it to the engine call)
  meta.inputs   input tensor names, in call order
  meta.outputs  number of outputs
  meta.args     op arguments (axes, stride, reduction, ...)
  tensors       <input>; out<i> (forward); gout<i> (upstream gradient of each differentiable output);
                grad_<input> (gradient of each input that requires grad);
                updated_<input> (inputs the op mutates in place, e.g. running statistics, after the call)
"""
import os
import sys
import zlib

import torch

import fixture_io


class Inputs:
    """Per-case deterministic random inputs (float64), seeded from the case name so cases are independent."""

    def __init__(self, name):
        self.gen = torch.Generator().manual_seed(zlib.crc32(name.encode()))

    def randn(self, *shape):
        return torch.randn(tuple(shape), generator=self.gen, dtype=torch.float64)

    def uniform(self, lo, hi, *shape):
        return lo + (hi - lo) * torch.rand(tuple(shape), generator=self.gen, dtype=torch.float64)

    def signed_away_from_zero(self, lo, hi, *shape):
        """|v| in [lo, hi) with a random sign: safe denominators."""
        sign = torch.where(torch.rand(tuple(shape), generator=self.gen) < 0.5, -1.0, 1.0).double()
        return sign * self.uniform(lo, hi, *shape)

    def randint(self, high, *shape):
        return torch.randint(0, high, shape, generator=self.gen, dtype=torch.int64)

    def mask(self, *shape):
        return torch.rand(tuple(shape), generator=self.gen) < 0.5


class Registry:
    """The cases of one fixture group (tests/Fixtures/<group>/), and the generator's command line."""

    def __init__(self, group):
        self.group = group
        self.cases = {}

    def case(self, name):
        def register(fn):
            assert name not in self.cases, name
            self.cases[name] = fn
            return fn
        return register

    def run(self, name, op, inputs, fn, args=None, frozen=(), updated=()):
        """Runs fn on clones of `inputs` (ordered name -> tensor) and saves the fixture.

        Float inputs require grad unless named in `frozen` (class weights, running statistics, masks: things
        torch does not differentiate or the engine treats as data); integer/bool ones are data. `updated` names
        inputs that fn mutates in place; their values after the call are saved as updated_<name>.
        """
        leaves = {}
        for k, v in inputs.items():
            grad = v.is_floating_point() and k not in frozen
            leaves[k] = v.clone().requires_grad_(True) if grad else v.clone()
        outs = fn(*leaves.values())
        if isinstance(outs, torch.Tensor):
            outs = [outs]
        outs = list(outs)
        tensors = dict(inputs)
        for k in updated:
            tensors["updated_" + k] = leaves[k]
        g = Inputs(name + "/upstream")
        diff_outs, gouts = [], []
        for i, o in enumerate(outs):
            tensors[f"out{i}"] = o
            if o.requires_grad:
                go = g.randn(*o.shape)
                tensors[f"gout{i}"] = go
                diff_outs.append(o)
                gouts.append(go)
        grad_names = [k for k, v in leaves.items() if v.requires_grad]
        if diff_outs and grad_names:
            grads = torch.autograd.grad(diff_outs, [leaves[k] for k in grad_names], gouts, allow_unused=True)
            for k, gr in zip(grad_names, grads):
                tensors["grad_" + k] = gr if gr is not None else torch.zeros_like(leaves[k])
        meta = {"op": op, "inputs": list(inputs.keys()), "outputs": len(outs), "args": args or {}}
        fixture_io.save(self.group, name, tensors, meta)

    def main(self):
        if "--list" in sys.argv:
            # The C# tests keep their own list of expected cases; this prints it when cases change.
            print("\n".join(sorted(self.cases)))
            return
        folder = os.path.join(fixture_io.FIXTURE_ROOT, self.group)
        # Start clean so a renamed or dropped case leaves no stale file behind.
        if os.path.isdir(folder):
            for f in os.listdir(folder):
                if f.endswith(".json"):
                    os.remove(os.path.join(folder, f))
        torch.manual_seed(0)
        for name in sorted(self.cases):
            self.cases[name]()
        print(f"wrote {len(self.cases)} fixtures to {os.path.normpath(folder)}")
