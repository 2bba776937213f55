using Xunit;

namespace Lfm2Vl.Engine.Tests.Reference;

/// <summary>
/// The cases tests/pytorch/gen_nn_fixtures.py writes to tests/Fixtures/nn. Kept here, apart from the folder,
/// so a deleted or never-generated fixture fails a test (FixtureInventory) instead of silently shrinking the suite.
/// Refresh with: /usr/bin/python3 tests/pytorch/gen_nn_fixtures.py --list
/// </summary>
public static class NnCases
{
    public const string Group = "nn";

    private static readonly string[] Reductions = ["mean", "sum", "none"];

    public static readonly IReadOnlyList<string> All =
    [
        "conv_3x3_pad1", "conv_3x3_nobias", "conv_stride2_pad1", "conv_stride3_uneven", "conv_dilation2", "conv_groups2",
        "conv_depthwise", "conv_depthwise_mult2_stride2", "conv_1x1", "conv_1x1_stride2_nobias", "conv_nonsquare", "conv_nonsquare_groups",

        "maxpool_k2", "maxpool_k3_s2_p1", "maxpool_k3_s2_ceil", "maxpool_k3_s2_p1_ceil", "maxpool_k2_s1", "maxpool_k2_s3",
        "maxpool_nonsquare", "maxpool_ties",
        "avgpool_k2", "avgpool_k3_s2_p1_incl", "avgpool_k3_s2_p1_excl", "avgpool_k3_s2_ceil", "avgpool_k3_s2_p1_ceil_incl",
        "avgpool_k3_s2_p1_ceil_excl", "avgpool_k2_s1", "avgpool_nonsquare",
        "adaptive_divisible", "adaptive_nondivisible", "adaptive_upsample", "adaptive_1x1", "global_avg_pool",

        "nearest_up2x", "nearest_up_nonint", "nearest_down",
        .. new[] { "up", "down", "mixed" }.SelectMany(d => new[] { $"bilinear_{d}_ac", $"bilinear_{d}_noac" }),
        "bilinear_to_1_ac",

        "batchnorm_train_4d", "batchnorm_train_4d_no_affine", "batchnorm_train_4d_no_stats", "batchnorm_train_3d",
        "batchnorm_train_2d", "batchnorm_train_2d_no_affine", "batchnorm_eval_4d", "batchnorm_eval_2d_no_affine",
        "layernorm_last1", "layernorm_last2", "layernorm_last1_no_affine", "layernorm_last2_no_affine",
        "groupnorm_g2", "groupnorm_g1", "groupnorm_per_channel_no_affine", "groupnorm_3d",

        "sdpa_self", "sdpa_cross", "sdpa_mask_2d", "sdpa_mask_per_batch", "sdpa_mask_full", "sdpa_mask_scale", "sdpa_3d",

        .. Reductions.SelectMany(r => new[] { $"ce_{r}", $"ce_all_{r}" }),
        "ce_weight_mean", "ce_weight_sum", "ce_smoothing_mean", "ce_smoothing_none", "ce_ignore_mean", "ce_ignore_class_mean",
        "bce_mean", "bce_sum", "bce_weight_none", "bce_pos_weight_mean", "bce_weight_pos_weight_sum", "bce_large_logits",
        "focal_none", "focal_mean", "focal_sum_gamma1_5", "focal_no_alpha", "focal_soft_targets",
        .. Reductions.Select(r => $"mse_{r}"),
        "smooth_l1_beta1_mean", "smooth_l1_beta0_5_sum", "smooth_l1_beta2_none", "smooth_l1_beta0_none",
        "smooth_l1_beta0_kink_as_l1",
        "huber_delta1_mean", "huber_delta0_5_sum", "huber_delta2_none",
        "giou_none", "giou_mean", "giou_sum_batched", "giou_disjoint", "giou_ties", "giou_touching",
    ];

    public static TheoryData<string> Names() => FixtureInventory.Theory(All);
}
