"""Reference fixtures for the engine's layer ops and losses (tests/Fixtures/nn/<case>.json).

Each case runs one op of src/Lfm2Vl.Engine/Nn/Functional.*.cs in float64 on small random inputs, then
back-propagates a random upstream gradient (fixture_cases.py describes the layout). Inputs named in `frozen`
(running statistics, class weights, masks) get no gradient; BatchNorm's running statistics after the call are
saved as updated_running_mean / updated_running_var. The C# side maps meta.op to the engine call in
tests/Lfm2Vl.Engine.Tests/Reference/NnOps.cs.

Ops torch 1.13 lacks (attention, torchvision's focal and GIoU losses) come from reference_impls.py.
Run with Debian's Python, which has torch: /usr/bin/python3 tests/pytorch/gen_nn_fixtures.py
"""
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixture_cases  # noqa: E402
import reference_impls as ref  # noqa: E402

REGISTRY = fixture_cases.Registry("nn")
case, run, Inputs = REGISTRY.case, REGISTRY.run, fixture_cases.Inputs


def pair(v):
    return list(v) if isinstance(v, (tuple, list)) else [v, v]


def optional(**tensors):
    """Drops the inputs a case does not pass (no bias, no affine): the engine then gets null for them."""
    return {k: v for k, v in tensors.items() if v is not None}


# ---- convolution ---------------------------------------------------------------------------------

def conv(name, x_shape, w_shape, bias=True, stride=1, padding=0, dilation=1, groups=1):
    @case(name)
    def _():
        r = Inputs(name)
        inputs = optional(x=r.randn(*x_shape), weight=r.randn(*w_shape), bias=r.randn(w_shape[0]) if bias else None)
        args = {"stride": pair(stride), "padding": pair(padding), "dilation": pair(dilation), "groups": groups}
        run(name, "conv2d", inputs,
            lambda x, w, b=None: F.conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups), args)


conv("conv_3x3_pad1", [2, 3, 6, 6], [4, 3, 3, 3], padding=1)
conv("conv_3x3_nobias", [2, 3, 5, 5], [4, 3, 3, 3], bias=False)
conv("conv_stride2_pad1", [2, 3, 7, 7], [4, 3, 3, 3], stride=2, padding=1)
conv("conv_stride3_uneven", [1, 2, 8, 8], [3, 2, 3, 3], stride=3)  # (8 - 3) / 3 floors: the last rows are unused
conv("conv_dilation2", [1, 3, 7, 7], [2, 3, 3, 3], padding=2, dilation=2)
conv("conv_groups2", [2, 4, 5, 5], [6, 2, 3, 3], padding=1, groups=2)
conv("conv_depthwise", [2, 3, 5, 5], [3, 1, 3, 3], padding=1, groups=3)
conv("conv_depthwise_mult2_stride2", [1, 3, 6, 6], [6, 1, 3, 3], bias=False, stride=2, padding=1, groups=3)
conv("conv_1x1", [2, 5, 4, 4], [3, 5, 1, 1])
conv("conv_1x1_stride2_nobias", [1, 4, 5, 5], [2, 4, 1, 1], bias=False, stride=2)
# Non-square input and kernel, and different stride, padding and dilation per axis.
conv("conv_nonsquare", [2, 3, 5, 8], [4, 3, 3, 2], stride=(2, 1), padding=(1, 0), dilation=(1, 2))
conv("conv_nonsquare_groups", [1, 4, 7, 4], [4, 2, 2, 3], stride=(1, 2), padding=(0, 1), groups=2)


# ---- pooling -------------------------------------------------------------------------------------

def max_pool(name, x_shape, kernel, stride=None, padding=0, ceil_mode=False, make=None):
    @case(name)
    def _():
        r = Inputs(name)
        x = make(r) if make else r.randn(*x_shape)
        args = {"kernel": kernel, "stride": stride, "padding": padding, "ceil_mode": ceil_mode}
        run(name, "max_pool2d", {"x": x},
            lambda x: F.max_pool2d(x, kernel, stride, padding, ceil_mode=ceil_mode), args)


max_pool("maxpool_k2", [2, 3, 6, 6], 2)
max_pool("maxpool_k3_s2_p1", [2, 2, 7, 7], 3, 2, 1)
max_pool("maxpool_k3_s2_ceil", [1, 2, 8, 8], 3, 2, ceil_mode=True)        # 4 windows per axis; floor mode has 3
max_pool("maxpool_k3_s2_p1_ceil", [1, 2, 6, 6], 3, 2, 1, ceil_mode=True)  # 4 windows per axis; floor mode has 3
max_pool("maxpool_k2_s1", [1, 2, 5, 5], 2, 1)                              # overlapping windows
max_pool("maxpool_k2_s3", [1, 2, 7, 7], 2, 3)                              # gaps between windows
max_pool("maxpool_nonsquare", [1, 2, 5, 7], 2)
# Ties: small integers (exact in float32) and one constant plane, overlapping padded windows. torch takes the
# first maximum in row-major window order, so the whole gradient of a window goes to that element.
max_pool("maxpool_ties", None, 3, 1, 1,
         make=lambda r: torch.cat([r.randint(3, 1, 1, 5, 5).double(), torch.full((1, 1, 5, 5), 2.0, dtype=torch.float64)], 1))


def avg_pool(name, x_shape, kernel, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    @case(name)
    def _():
        args = {"kernel": kernel, "stride": stride, "padding": padding, "ceil_mode": ceil_mode,
                "count_include_pad": count_include_pad}
        run(name, "avg_pool2d", {"x": Inputs(name).randn(*x_shape)},
            lambda x: F.avg_pool2d(x, kernel, stride, padding, ceil_mode=ceil_mode, count_include_pad=count_include_pad), args)


avg_pool("avgpool_k2", [2, 3, 6, 6], 2)
avg_pool("avgpool_k3_s2_p1_incl", [2, 2, 7, 7], 3, 2, 1)
avg_pool("avgpool_k3_s2_p1_excl", [2, 2, 7, 7], 3, 2, 1, count_include_pad=False)
avg_pool("avgpool_k3_s2_ceil", [1, 2, 8, 8], 3, 2, ceil_mode=True)  # the last window hangs over the edge
avg_pool("avgpool_k3_s2_p1_ceil_incl", [1, 2, 6, 6], 3, 2, 1, ceil_mode=True)
avg_pool("avgpool_k3_s2_p1_ceil_excl", [1, 2, 6, 6], 3, 2, 1, ceil_mode=True, count_include_pad=False)
avg_pool("avgpool_k2_s1", [1, 2, 5, 5], 2, 1)
avg_pool("avgpool_nonsquare", [1, 2, 4, 7], 2, 1, 1, count_include_pad=False)


def adaptive_avg_pool(name, x_shape, out_h, out_w):
    @case(name)
    def _():
        run(name, "adaptive_avg_pool2d", {"x": Inputs(name).randn(*x_shape)},
            lambda x: F.adaptive_avg_pool2d(x, (out_h, out_w)), {"out_h": out_h, "out_w": out_w})


adaptive_avg_pool("adaptive_divisible", [2, 3, 6, 6], 3, 2)
adaptive_avg_pool("adaptive_nondivisible", [1, 2, 7, 5], 3, 2)  # windows of unequal size that overlap
adaptive_avg_pool("adaptive_upsample", [1, 2, 3, 3], 5, 4)       # more outputs than inputs
adaptive_avg_pool("adaptive_1x1", [2, 3, 5, 4], 1, 1)


@case("global_avg_pool")
def _():
    run("global_avg_pool", "global_avg_pool2d", {"x": Inputs("global_avg_pool").randn(2, 3, 5, 4)},
        lambda x: F.adaptive_avg_pool2d(x, 1).flatten(1))


# ---- interpolation -------------------------------------------------------------------------------

def interpolate(name, x_shape, out_h, out_w, mode, align_corners=None):
    @case(name)
    def _():
        args = {"out_h": out_h, "out_w": out_w, "mode": mode, "align_corners": bool(align_corners)}
        run(name, "interpolate", {"x": Inputs(name).randn(*x_shape)},
            lambda x: F.interpolate(x, size=(out_h, out_w), mode=mode, align_corners=align_corners), args)


interpolate("nearest_up2x", [1, 2, 3, 4], 6, 8, "nearest")
interpolate("nearest_up_nonint", [1, 2, 3, 4], 7, 5, "nearest")
interpolate("nearest_down", [1, 2, 7, 9], 3, 4, "nearest")
for _ac in (False, True):
    _tag = "ac" if _ac else "noac"
    interpolate(f"bilinear_up_{_tag}", [2, 2, 3, 4], 5, 7, "bilinear", _ac)
    interpolate(f"bilinear_down_{_tag}", [1, 2, 7, 9], 3, 4, "bilinear", _ac)
    interpolate(f"bilinear_mixed_{_tag}", [1, 1, 4, 3], 2, 8, "bilinear", _ac)  # down in H, up in W
interpolate("bilinear_to_1_ac", [1, 2, 4, 5], 1, 3, "bilinear", True)  # one output row: align_corners samples row 0


# ---- normalization -------------------------------------------------------------------------------

def batch_norm(name, x_shape, training, affine=True, stats=True, momentum=0.1):
    @case(name)
    def _():
        r = Inputs(name)
        c = x_shape[1]
        # Per-channel offsets and scales so the statistics are far from 0 and 1.
        shift = [1] * len(x_shape)
        shift[1] = c
        x = r.randn(*x_shape) * r.uniform(0.5, 2.0, *shift) + r.randn(*shift)
        inputs = optional(x=x,
                          running_mean=r.randn(c) if stats else None,
                          running_var=r.uniform(0.5, 2.0, c) if stats else None,
                          weight=r.uniform(0.5, 1.5, c) if affine else None,
                          bias=r.randn(c) if affine else None)
        names = list(inputs)

        def fn(*t):
            a = dict(zip(names, t))
            return F.batch_norm(a["x"], a.get("running_mean"), a.get("running_var"), a.get("weight"), a.get("bias"),
                                training=training, momentum=momentum, eps=1e-5)
        frozen = ("running_mean", "running_var")
        run(name, "batch_norm", inputs, fn, {"training": training, "momentum": momentum, "eps": 1e-5},
            frozen=frozen, updated=frozen if stats and training else ())


batch_norm("batchnorm_train_4d", [3, 4, 3, 3], True)
batch_norm("batchnorm_train_4d_no_affine", [2, 3, 4, 3], True, affine=False)
batch_norm("batchnorm_train_4d_no_stats", [2, 3, 3, 3], True, stats=False)
batch_norm("batchnorm_train_3d", [2, 3, 5], True, momentum=0.25)
batch_norm("batchnorm_train_2d", [6, 5], True, momentum=0.3)
batch_norm("batchnorm_train_2d_no_affine", [4, 3], True, affine=False)
batch_norm("batchnorm_eval_4d", [2, 4, 3, 3], False)
batch_norm("batchnorm_eval_2d_no_affine", [5, 3], False, affine=False)


def layer_norm(name, x_shape, dims, affine=True):
    @case(name)
    def _():
        r = Inputs(name)
        norm_shape = x_shape[-dims:]
        x = 1.5 * r.randn(*x_shape) + 0.5
        inputs = optional(x=x, weight=r.uniform(0.5, 1.5, *norm_shape) if affine else None,
                          bias=r.randn(*norm_shape) if affine else None)
        run(name, "layer_norm", inputs, lambda x, w=None, b=None: F.layer_norm(x, norm_shape, w, b, eps=1e-5),
            {"normalized_dims": dims, "eps": 1e-5})


layer_norm("layernorm_last1", [2, 3, 5], 1)
layer_norm("layernorm_last2", [2, 3, 4], 2)
layer_norm("layernorm_last1_no_affine", [4, 6], 1, affine=False)
layer_norm("layernorm_last2_no_affine", [2, 3, 4], 2, affine=False)


def group_norm(name, x_shape, groups, affine=True):
    @case(name)
    def _():
        r = Inputs(name)
        c = x_shape[1]
        inputs = optional(x=1.5 * r.randn(*x_shape) - 0.5, weight=r.uniform(0.5, 1.5, c) if affine else None,
                          bias=r.randn(c) if affine else None)
        run(name, "group_norm", inputs, lambda x, w=None, b=None: F.group_norm(x, groups, w, b, eps=1e-5),
            {"groups": groups, "eps": 1e-5})


group_norm("groupnorm_g2", [2, 4, 3, 3], 2)
group_norm("groupnorm_g1", [2, 3, 2, 3], 1)                             # one group: layer norm over C, H, W
group_norm("groupnorm_per_channel_no_affine", [2, 3, 3, 2], 3, affine=False)  # C groups: instance norm
group_norm("groupnorm_3d", [2, 6, 5], 3)


# ---- attention -----------------------------------------------------------------------------------

def blocked(r, shape, finite_col):
    """An additive mask: random finite values with about a third of the entries -inf, except column
    `finite_col` of every row, so no row is fully blocked (torch gives NaN there, the engine 0)."""
    m = 0.5 * r.randn(*shape)
    block = torch.rand(tuple(shape), generator=r.gen) < 1 / 3
    block[..., finite_col] = False
    return m.masked_fill(block, float("-inf"))


def attention(name, q_shape, k_shape, v_shape, mask_shape=None, scale=None):
    @case(name)
    def _():
        r = Inputs(name)
        inputs = optional(q=r.randn(*q_shape), k=r.randn(*k_shape), v=r.randn(*v_shape),
                          mask=blocked(r, mask_shape, 0) if mask_shape else None)
        run(name, "attention", inputs, lambda q, k, v, m=None: ref.scaled_dot_product_attention(q, k, v, m, scale),
            {"scale": scale}, frozen=("mask",))


attention("sdpa_self", [2, 2, 4, 3], [2, 2, 4, 3], [2, 2, 4, 3])
attention("sdpa_cross", [2, 3, 3, 4], [2, 3, 5, 4], [2, 3, 5, 6])                   # Lq != Lk, Dv != D
attention("sdpa_mask_2d", [2, 2, 4, 3], [2, 2, 6, 3], [2, 2, 6, 3], [4, 6])         # one mask for all batches/heads
attention("sdpa_mask_per_batch", [2, 3, 3, 4], [2, 3, 5, 4], [2, 3, 5, 2], [2, 1, 3, 5])  # broadcast over heads
attention("sdpa_mask_full", [2, 2, 3, 4], [2, 2, 4, 4], [2, 2, 4, 3], [2, 2, 3, 4])
attention("sdpa_mask_scale", [1, 2, 5, 3], [1, 2, 4, 3], [1, 2, 4, 3], [5, 4], scale=0.7)
attention("sdpa_3d", [2, 4, 3], [2, 5, 3], [2, 5, 2])


# ---- losses --------------------------------------------------------------------------------------

def cross_entropy(name, reduction="mean", weighted=False, smoothing=0.0, ignore_index=-100, ignored=()):
    @case(name)
    def _():
        r = Inputs(name)
        n, c = 6, 4
        target = r.randint(c, n)
        for i in ignored:
            target[i] = ignore_index
        inputs = optional(logits=2 * r.randn(n, c), target=target.int(), weight=r.uniform(0.2, 2.0, c) if weighted else None)
        run(name, "cross_entropy", inputs,
            lambda x, t, w=None: F.cross_entropy(x, t.long(), w, ignore_index=ignore_index, reduction=reduction,
                                                 label_smoothing=smoothing),
            {"label_smoothing": smoothing, "ignore_index": ignore_index, "reduction": reduction}, frozen=("weight",))


for _red in ("mean", "sum", "none"):
    cross_entropy(f"ce_{_red}", _red)
    cross_entropy(f"ce_all_{_red}", _red, weighted=True, smoothing=0.2, ignored=(1, 4))  # weights + smoothing + ignore
cross_entropy("ce_weight_mean", weighted=True)
cross_entropy("ce_weight_sum", "sum", weighted=True)
cross_entropy("ce_smoothing_mean", smoothing=0.1)
cross_entropy("ce_smoothing_none", "none", smoothing=0.3)
cross_entropy("ce_ignore_mean", ignored=(0, 3))
cross_entropy("ce_ignore_class_mean", ignore_index=2, ignored=(2,))  # a real class index as ignore_index


def bce_with_logits(name, reduction="mean", weighted=False, pos_weighted=False, logit_scale=2.0):
    @case(name)
    def _():
        r = Inputs(name)
        target = r.uniform(0, 1, 4, 3)
        target[0] = torch.tensor([0.0, 1.0, 1.0])  # hard labels beside soft ones
        inputs = optional(logits=logit_scale * r.randn(4, 3), target=target,
                          weight=r.uniform(0.2, 2.0, 3) if weighted else None,
                          pos_weight=r.uniform(0.5, 3.0, 3) if pos_weighted else None)
        names = list(inputs)

        def fn(*t):
            a = dict(zip(names, t))
            return F.binary_cross_entropy_with_logits(a["logits"], a["target"], a.get("weight"), reduction=reduction,
                                                      pos_weight=a.get("pos_weight"))
        run(name, "bce_with_logits", inputs, fn, {"reduction": reduction}, frozen=("weight", "pos_weight"))


bce_with_logits("bce_mean")
bce_with_logits("bce_sum", "sum")
bce_with_logits("bce_weight_none", "none", weighted=True)
bce_with_logits("bce_pos_weight_mean", pos_weighted=True)
bce_with_logits("bce_weight_pos_weight_sum", "sum", weighted=True, pos_weighted=True)
bce_with_logits("bce_large_logits", "none", pos_weighted=True, logit_scale=40.0)  # exp(-|x|) underflows in float32


def focal(name, reduction="none", alpha=0.25, gamma=2.0, soft=False):
    @case(name)
    def _():
        r = Inputs(name)
        target = r.uniform(0, 1, 5, 3) if soft else r.mask(5, 3).double()
        run(name, "sigmoid_focal_loss", {"logits": 2 * r.randn(5, 3), "target": target},
            lambda x, t: ref.sigmoid_focal_loss(x, t, alpha, gamma, reduction),
            {"alpha": alpha, "gamma": gamma, "reduction": reduction})


focal("focal_none")
focal("focal_mean", "mean")
focal("focal_sum_gamma1_5", "sum", alpha=0.6, gamma=1.5)
focal("focal_no_alpha", "mean", alpha=-1.0, gamma=0.0)  # plain BCE
focal("focal_soft_targets", "none", gamma=3.0, soft=True)


def regression(name, op, fn, args, kink=False):
    @case(name)
    def _():
        r = Inputs(name)
        x, t = 1.5 * r.randn(3, 4), 1.5 * r.randn(3, 4)
        if kink:
            t[0, :2] = x[0, :2]  # input == target exactly: the L1 kink
        run(name, op, {"input": x, "target": t}, fn, args)


for _red in ("mean", "sum", "none"):
    regression(f"mse_{_red}", "mse_loss", lambda x, t, red=_red: F.mse_loss(x, t, reduction=red), {"reduction": _red})
for _tag, _beta, _red in (("beta1_mean", 1.0, "mean"), ("beta0_5_sum", 0.5, "sum"), ("beta2_none", 2.0, "none"),
                          ("beta0_none", 0.0, "none")):
    regression(f"smooth_l1_{_tag}", "smooth_l1_loss",
               lambda x, t, b=_beta, red=_red: F.smooth_l1_loss(x, t, reduction=red, beta=b), {"beta": _beta, "reduction": _red})
# With beta = 0 smooth L1 is L1 (torch documents the equivalence), but at input == target torch 1.13's smooth_l1
# backward falls into its `x <= -beta` branch and gives -grad to the input and also -grad to the target (not even
# opposite signs), while F.l1_loss gives sign(0) * grad = 0 to both. The engine follows l1_loss there, so the kink
# is pinned against F.l1_loss.
regression("smooth_l1_beta0_kink_as_l1", "smooth_l1_loss", lambda x, t: F.l1_loss(x, t, reduction="none"),
           {"beta": 0.0, "reduction": "none"}, kink=True)
for _tag, _delta, _red in (("delta1_mean", 1.0, "mean"), ("delta0_5_sum", 0.5, "sum"), ("delta2_none", 2.0, "none")):
    regression(f"huber_{_tag}", "huber_loss", lambda x, t, d=_delta, red=_red: F.huber_loss(x, t, reduction=red, delta=d),
               {"delta": _delta, "reduction": _red})


def random_boxes(r, *lead):
    xy = r.uniform(0, 4, *lead, 2)
    wh = r.uniform(0.5, 3, *lead, 2)
    return torch.cat([xy, xy + wh], -1)


def giou(name, make, reduction="none"):
    @case(name)
    def _():
        boxes, targets = make(Inputs(name))
        run(name, "giou_loss", {"boxes": boxes, "targets": targets},
            lambda b, t: ref.generalized_box_iou_loss(b, t, reduction, eps=1e-7), {"reduction": reduction, "eps": 1e-7})


giou("giou_none", lambda r: (random_boxes(r, 6), random_boxes(r, 6)))
giou("giou_mean", lambda r: (random_boxes(r, 6), random_boxes(r, 6)), "mean")
giou("giou_sum_batched", lambda r: (random_boxes(r, 2, 3), random_boxes(r, 2, 3)), "sum")
# Disjoint boxes: no intersection, so only the enclosing-box term has a gradient.
giou("giou_disjoint", lambda r: (random_boxes(r, 3), random_boxes(r, 3) + 10.0))
# Shared coordinates and one identical pair (exact in float32): torch.min/max split the gradient of a tie evenly.
giou("giou_ties", lambda r: (torch.tensor([[0.0, 0.0, 2.0, 2.0], [1.0, 1.0, 3.0, 4.0], [0.5, 0.25, 2.5, 1.5]], dtype=torch.float64),
                             torch.tensor([[0.0, 0.0, 2.0, 2.0], [1.0, 0.5, 2.0, 4.0], [0.5, 1.0, 3.5, 2.0]], dtype=torch.float64)))
# Boxes that touch along an edge or at a corner: the intersection is empty with a zero-width side. torchvision
# counts an intersection (and its gradient) only where both sides are > 0.
giou("giou_touching", lambda r: (torch.tensor([[0.0, 0.0, 1.0, 2.0], [0.0, 0.0, 1.0, 1.0], [0.0, 0.0, 2.0, 1.0]], dtype=torch.float64),
                                 torch.tensor([[1.0, 0.5, 2.0, 1.5], [1.0, 1.0, 2.0, 2.0], [0.5, 1.0, 1.5, 3.0]], dtype=torch.float64)))


if __name__ == "__main__":
    REGISTRY.main()
