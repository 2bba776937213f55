namespace Lfm2Vl.Engine.Tests.Reference;

/// <summary>
/// The engine call for each nn fixture op (meta.op), mirroring what gen_nn_fixtures.py ran in torch. Optional
/// inputs (bias, affine parameters, running statistics, class weights, masks) are null when the fixture has none.
/// </summary>
public static class NnOps
{
    private static FixtureOp One(Func<FixtureInputs, FixtureArgs, Tensor> f) => (x, a, _) => [f(x, a)];

    private static Reduction Reduction(FixtureArgs a) => a.String("reduction") switch
    {
        "mean" => Engine.Reduction.Mean,
        "sum" => Engine.Reduction.Sum,
        "none" => Engine.Reduction.None,
        var s => throw new ArgumentException($"Unknown reduction '{s}'."),
    };

    public static readonly IReadOnlyDictionary<string, FixtureOp> ByName = new Dictionary<string, FixtureOp>
    {
        ["conv2d"] = One((x, a) => Functional.Conv2d(x["x"], x["weight"], x.Optional("bias"),
            a.Pair("stride"), a.Pair("padding"), a.Pair("dilation"), a.Int("groups"))),

        ["max_pool2d"] = One((x, a) => Functional.MaxPool2d(x["x"], a.Int("kernel"), a.IntOrNull("stride"), a.Int("padding"), a.Bool("ceil_mode"))),
        ["avg_pool2d"] = One((x, a) => Functional.AvgPool2d(x["x"], a.Int("kernel"), a.IntOrNull("stride"), a.Int("padding"),
            a.Bool("ceil_mode"), a.Bool("count_include_pad"))),
        ["adaptive_avg_pool2d"] = One((x, a) => Functional.AdaptiveAvgPool2d(x["x"], a.Int("out_h"), a.Int("out_w"))),
        ["global_avg_pool2d"] = One((x, _) => Functional.GlobalAvgPool2d(x["x"])),
        ["interpolate"] = One((x, a) => Functional.Interpolate(x["x"], a.Int("out_h"), a.Int("out_w"), a.String("mode") switch
        {
            "nearest" => Functional.InterpolationMode.Nearest,
            "bilinear" => Functional.InterpolationMode.Bilinear,
            var s => throw new ArgumentException($"Unknown interpolation mode '{s}'."),
        }, a.Bool("align_corners"))),

        // Running statistics are updated in place; the replay compares them with updated_running_*.
        ["batch_norm"] = One((x, a) => Functional.BatchNorm(x["x"], x.Optional("running_mean"), x.Optional("running_var"),
            x.Optional("weight"), x.Optional("bias"), a.Bool("training"), a.Double("momentum"), a.Double("eps"))),
        ["layer_norm"] = One((x, a) => Functional.LayerNorm(x["x"], a.Int("normalized_dims"), x.Optional("weight"), x.Optional("bias"), a.Double("eps"))),
        ["group_norm"] = One((x, a) => Functional.GroupNorm(x["x"], a.Int("groups"), x.Optional("weight"), x.Optional("bias"), a.Double("eps"))),

        ["attention"] = One((x, a) => Functional.ScaledDotProductAttention(x["q"], x["k"], x["v"], x.Optional("mask"), a.DoubleOrNull("scale"))),

        ["cross_entropy"] = One((x, a) => Functional.CrossEntropy(x["logits"], x["target"], x.Optional("weight"),
            a.Double("label_smoothing"), a.Int("ignore_index"), Reduction(a))),
        ["bce_with_logits"] = One((x, a) => Functional.BinaryCrossEntropyWithLogits(x["logits"], x["target"], x.Optional("weight"),
            x.Optional("pos_weight"), Reduction(a))),
        ["sigmoid_focal_loss"] = One((x, a) => Functional.SigmoidFocalLoss(x["logits"], x["target"], a.Double("alpha"), a.Double("gamma"), Reduction(a))),
        ["mse_loss"] = One((x, a) => Functional.MseLoss(x["input"], x["target"], Reduction(a))),
        ["smooth_l1_loss"] = One((x, a) => Functional.SmoothL1Loss(x["input"], x["target"], a.Double("beta"), Reduction(a))),
        ["huber_loss"] = One((x, a) => Functional.HuberLoss(x["input"], x["target"], a.Double("delta"), Reduction(a))),
        ["giou_loss"] = One((x, a) => Functional.GeneralizedIouLoss(x["boxes"], x["targets"], Reduction(a), a.Double("eps"))),
    };
}
