"""Reference fixtures for the engine's core ops (tests/Fixtures/core/<case>.json).

Each case runs one op in float64 on small random inputs, then back-propagates a random upstream gradient
(fixture_cases.py describes the layout). Float inputs require grad; int32 ones are indices or masks.
The C# side maps meta.op to the engine call in tests/Lfm2Vl.Engine.Tests/Reference/CoreOps.cs.

Every case draws from its own generator seeded by the case name, so adding a case changes no other file.
Run with Debian's Python, which has torch: /usr/bin/python3 tests/pytorch/gen_core_fixtures.py
"""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture_cases  # noqa: E402

REGISTRY = fixture_cases.Registry("core")
case, run, Inputs = REGISTRY.case, REGISTRY.run, fixture_cases.Inputs


# ---- arithmetic with broadcasting ----------------------------------------------------------------

BINARY = {"add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div}
BROADCASTS = {"3d_31": ([2, 3, 4], [3, 1]), "4_3d": ([4], [2, 3, 4]), "31_14": ([3, 1], [1, 4]), "same": ([2, 3], [2, 3])}

for _op, _fn in BINARY.items():
    for _tag, (_sa, _sb) in BROADCASTS.items():
        def _make(op=_op, fn=_fn, sa=_sa, sb=_sb, tag=_tag):
            name = f"{op}_{tag}"

            @case(name)
            def _():
                r = Inputs(name)
                a = r.randn(*sa)
                b = r.signed_away_from_zero(0.5, 2.0, *sb) if op == "div" else r.randn(*sb)
                run(name, op, {"a": a, "b": b}, lambda a, b: fn(a, b))
        _make()


# ---- element-wise math ---------------------------------------------------------------------------

def unary(name, op, make, fn, args=None):
    @case(name)
    def _():
        run(name, op, {"x": make(Inputs(name))}, fn, args)


unary("neg", "neg", lambda r: r.randn(2, 3, 4), lambda x: -x)
unary("pow_scalar_3", "pow_scalar", lambda r: r.randn(3, 4), lambda x: x.pow(3.0), {"exponent": 3.0})
unary("pow_scalar_frac", "pow_scalar", lambda r: r.uniform(0.2, 2.0, 3, 4), lambda x: x.pow(-1.5), {"exponent": -1.5})
unary("exp", "exp", lambda r: r.randn(3, 4), torch.exp)
unary("log", "log", lambda r: r.uniform(0.1, 3.0, 3, 4), torch.log)
unary("sqrt", "sqrt", lambda r: r.uniform(0.1, 3.0, 3, 4), torch.sqrt)
unary("rsqrt", "rsqrt", lambda r: r.uniform(0.1, 3.0, 3, 4), torch.rsqrt)
# Exact zeros pin the subgradient conventions: abs'(0) = 0, relu'(0) = 0, leaky_relu'(0) = slope.
_WITH_ZEROS = lambda r: torch.cat([r.randn(10), torch.zeros(2, dtype=torch.float64)]).reshape(3, 4)  # noqa: E731
unary("abs", "abs", _WITH_ZEROS, torch.abs)
# Values exactly on the bounds (exact in float32 too): torch passes the gradient there.
_CLAMP_IN = lambda r: torch.cat([r.randn(10), torch.tensor([-0.5, 0.75], dtype=torch.float64)]).reshape(3, 4)  # noqa: E731
unary("clamp", "clamp", _CLAMP_IN, lambda x: torch.clamp(x, -0.5, 0.75), {"min": -0.5, "max": 0.75})
unary("clamp_min", "clamp", lambda r: r.randn(3, 4), lambda x: torch.clamp(x, min=-0.2), {"min": -0.2})
unary("relu", "relu", _WITH_ZEROS, F.relu)
unary("leaky_relu", "leaky_relu", _WITH_ZEROS, lambda x: F.leaky_relu(x, 0.1), {"slope": 0.1})
unary("gelu_none", "gelu", lambda r: 2 * r.randn(3, 5), lambda x: F.gelu(x, approximate="none"), {"approximate": "none"})
unary("gelu_tanh", "gelu", lambda r: 2 * r.randn(3, 5), lambda x: F.gelu(x, approximate="tanh"), {"approximate": "tanh"})
unary("silu", "silu", lambda r: 2 * r.randn(3, 5), F.silu)
unary("sigmoid", "sigmoid", lambda r: 2 * r.randn(3, 5), torch.sigmoid)
unary("tanh", "tanh", lambda r: 2 * r.randn(3, 5), torch.tanh)


@case("pow_tensor")
def _():
    r = Inputs("pow_tensor")
    # Positive base so a^b and log(a) (the exponent's gradient) are defined; broadcast exponent.
    run("pow_tensor", "pow_tensor", {"a": r.uniform(0.3, 2.5, 2, 3, 4), "b": r.randn(3, 1)}, torch.pow)


# ---- reductions ----------------------------------------------------------------------------------

REDUCE_AXES = {"all": None, "ax1": [1], "axm1": [-1], "ax02": [0, 2]}


def reduction(op, fn, make=lambda r: r.randn(2, 3, 4), extra_args=None, tag=""):
    for atag, axes in REDUCE_AXES.items():
        for keep in (False, True):
            if axes is None and keep:
                continue  # torch's all-axes overloads have no keepdim
            name = f"{op}{tag}_{atag}" + ("_keep" if keep else "")

            def build(name=name, axes=axes, keep=keep):
                @case(name)
                def _():
                    args = {"axes": axes, "keepdim": keep, **(extra_args or {})}
                    run(name, op, {"x": make(Inputs(name))}, lambda x: fn(x, axes, keep), args)
            build()


reduction("sum", lambda x, axes, keep: x.sum() if axes is None else x.sum(dim=axes, keepdim=keep))
reduction("mean", lambda x, axes, keep: x.mean() if axes is None else x.mean(dim=axes, keepdim=keep))
reduction("amax", lambda x, axes, keep: x.amax() if axes is None else x.amax(dim=axes, keepdim=keep))
reduction("amin", lambda x, axes, keep: x.amin() if axes is None else x.amin(dim=axes, keepdim=keep))
for _corr, _unbiased in ((1, True), (0, False)):
    reduction("var", lambda x, axes, keep, u=_unbiased: x.var(unbiased=u) if axes is None else x.var(dim=axes, unbiased=u, keepdim=keep),
              extra_args={"correction": _corr}, tag=f"_c{_corr}")
    reduction("std", lambda x, axes, keep, u=_unbiased: x.std(unbiased=u) if axes is None else x.std(dim=axes, unbiased=u, keepdim=keep),
              extra_args={"correction": _corr}, tag=f"_c{_corr}")

# Ties: torch.amax/amin share the gradient evenly among equal extremes. Values are exact in float32.
_TIES = lambda r: torch.tensor([[1.0, 3.0, 3.0, -2.0], [0.5, 0.5, 0.5, 0.5], [-1.0, 2.0, -1.0, 2.0]], dtype=torch.float64)  # noqa: E731


@case("amax_ties")
def _():
    run("amax_ties", "amax", {"x": _TIES(None)}, lambda x: x.amax(dim=[1]), {"axes": [1], "keepdim": False})


@case("amin_ties")
def _():
    run("amin_ties", "amin", {"x": _TIES(None)}, lambda x: x.amin(dim=[1]), {"axes": [1], "keepdim": False})


@case("amax_ties_all")
def _():
    run("amax_ties_all", "amax", {"x": _TIES(None)}, lambda x: x.amax(), {"axes": None, "keepdim": False})


for _dim, _keep in ((1, False), (-1, True), (0, False)):
    def _argmax(dim=_dim, keep=_keep):
        name = f"argmax_d{dim}".replace("-", "m") + ("_keep" if keep else "")

        @case(name)
        def _():
            run(name, "argmax", {"x": Inputs(name).randn(2, 3, 4)}, lambda x: x.argmax(dim=dim, keepdim=keep).int(),
                {"dim": dim, "keepdim": keep})
    _argmax()


@case("argmax_ties")
def _():
    # torch documents that the first maximal index wins.
    run("argmax_ties", "argmax", {"x": _TIES(None)}, lambda x: x.argmax(dim=1).int(), {"dim": 1, "keepdim": False})


# ---- matmul --------------------------------------------------------------------------------------

MATMUL = {
    "2d": ([3, 4], [4, 5]),
    "3d": ([2, 3, 4], [2, 4, 5]),
    "3d_bcast": ([2, 3, 4], [1, 4, 5]),
    "3d_2d": ([2, 3, 4], [4, 5]),
    "4d_bcast": ([2, 1, 3, 4], [3, 4, 2]),
    "1d_2d": ([4], [4, 5]),
    "2d_1d": ([3, 4], [4]),
    "1d_1d": ([4], [4]),
}
for _tag, (_sa, _sb) in MATMUL.items():
    def _mm(tag=_tag, sa=_sa, sb=_sb):
        name = "matmul_" + tag

        @case(name)
        def _():
            r = Inputs(name)
            run(name, "matmul", {"a": r.randn(*sa), "b": r.randn(*sb)}, torch.matmul)
    _mm()


# ---- softmax -------------------------------------------------------------------------------------

for _op, _fn in (("softmax", F.softmax), ("log_softmax", F.log_softmax)):
    for _dim in (0, 1, -1):
        def _sm(op=_op, fn=_fn, dim=_dim):
            name = f"{op}_d{dim}".replace("-", "m")

            @case(name)
            def _():
                run(name, op, {"x": 2 * Inputs(name).randn(2, 3, 4)}, lambda x: fn(x, dim=dim), {"dim": dim})
        _sm()


# ---- joining, splitting, indexing ----------------------------------------------------------------

@case("cat_d1")
def _():
    r = Inputs("cat_d1")
    run("cat_d1", "cat", {"a": r.randn(2, 1, 3), "b": r.randn(2, 3, 3), "c": r.randn(2, 2, 3)},
        lambda a, b, c: torch.cat([a, b, c], dim=1), {"dim": 1})


@case("cat_dm1")
def _():
    r = Inputs("cat_dm1")
    run("cat_dm1", "cat", {"a": r.randn(3, 2), "b": r.randn(3, 4)}, lambda a, b: torch.cat([a, b], dim=-1), {"dim": -1})


for _dim in (0, 1, -1):
    def _st(dim=_dim):
        name = f"stack_d{dim}".replace("-", "m")

        @case(name)
        def _():
            r = Inputs(name)
            run(name, "stack", {"a": r.randn(2, 3), "b": r.randn(2, 3), "c": r.randn(2, 3)},
                lambda a, b, c: torch.stack([a, b, c], dim=dim), {"dim": dim})
    _st()


@case("split_sizes")
def _():
    run("split_sizes", "split", {"x": Inputs("split_sizes").randn(2, 5, 3)},
        lambda x: torch.split(x, [2, 1, 2], dim=1), {"sizes": [2, 1, 2], "dim": 1})


@case("split_chunk")
def _():
    # A chunk size that does not divide the axis: the last piece is shorter.
    run("split_chunk", "split", {"x": Inputs("split_chunk").randn(3, 7)},
        lambda x: torch.split(x, 3, dim=-1), {"chunk": 3, "dim": -1})


@case("narrow")
def _():
    run("narrow", "narrow", {"x": Inputs("narrow").randn(2, 5, 3)}, lambda x: x.narrow(1, 1, 3), {"dim": 1, "start": 1, "length": 3})


@case("narrow_neg_start")
def _():
    run("narrow_neg_start", "narrow", {"x": Inputs("narrow_neg_start").randn(4, 3)}, lambda x: x.narrow(0, -2, 2),
        {"dim": 0, "start": -2, "length": 2})


@case("gather_d1")
def _():
    r = Inputs("gather_d1")
    # Repeated indices make the backward accumulate (scatter-add).
    idx = r.randint(4, 2, 5, 3)
    run("gather_d1", "gather", {"x": r.randn(2, 4, 3), "index": idx.int()}, lambda x, index: torch.gather(x, 1, index.long()), {"dim": 1})


@case("gather_dm1")
def _():
    r = Inputs("gather_dm1")
    idx = r.randint(5, 3, 2)
    run("gather_dm1", "gather", {"x": r.randn(3, 5), "index": idx.int()}, lambda x, index: torch.gather(x, -1, index.long()), {"dim": -1})


@case("index_select_d0")
def _():
    r = Inputs("index_select_d0")
    idx = torch.tensor([2, 0, 2, 3], dtype=torch.int32)  # a repeat: gradients add up
    run("index_select_d0", "index_select", {"x": r.randn(4, 3), "index": idx},
        lambda x, index: torch.index_select(x, 0, index.long()), {"dim": 0})


@case("index_select_d1")
def _():
    r = Inputs("index_select_d1")
    idx = torch.tensor([1, 1, 0], dtype=torch.int32)
    run("index_select_d1", "index_select", {"x": r.randn(2, 3, 2), "index": idx},
        lambda x, index: torch.index_select(x, 1, index.long()), {"dim": 1})


@case("where")
def _():
    r = Inputs("where")
    # int32 condition (non-zero = true); b broadcasts along the rows.
    run("where", "where", {"cond": r.mask(2, 3, 4).int(), "a": r.randn(2, 3, 4), "b": r.randn(4)},
        lambda cond, a, b: torch.where(cond != 0, a, b), {"cond_dtype": "int32"})


@case("where_float_cond")
def _():
    r = Inputs("where_float_cond")
    # The engine also accepts a floating condition; the fixture stores it as 0/1 and the test converts it.
    run("where_float_cond", "where", {"cond": r.mask(3, 1).int(), "a": r.randn(3, 4), "b": r.randn(3, 4)},
        lambda cond, a, b: torch.where(cond != 0, a, b), {"cond_dtype": "float"})


@case("masked_fill")
def _():
    r = Inputs("masked_fill")
    run("masked_fill", "masked_fill", {"x": r.randn(2, 3, 4), "mask": r.mask(3, 1).int()},
        lambda x, mask: x.masked_fill(mask != 0, -1.5), {"value": -1.5})


@case("one_hot")
def _():
    r = Inputs("one_hot")
    run("one_hot", "one_hot", {"indices": r.randint(5, 2, 3).int()}, lambda indices: F.one_hot(indices.long(), 5).int(),
        {"num_classes": 5})


@case("permute_contiguous")
def _():
    run("permute_contiguous", "permute", {"x": Inputs("permute_contiguous").randn(2, 3, 4)},
        lambda x: x.permute(2, 0, 1).contiguous(), {"dims": [2, 0, 1]})


@case("transpose_contiguous")
def _():
    run("transpose_contiguous", "transpose", {"x": Inputs("transpose_contiguous").randn(2, 3, 4)},
        lambda x: x.transpose(0, 2).contiguous(), {"dim0": 0, "dim1": 2})


@case("transpose_m1_contiguous")
def _():
    run("transpose_m1_contiguous", "transpose", {"x": Inputs("transpose_m1_contiguous").randn(3, 5)},
        lambda x: x.transpose(-1, -2).contiguous(), {"dim0": -1, "dim1": -2})


if __name__ == "__main__":
    REGISTRY.main()
