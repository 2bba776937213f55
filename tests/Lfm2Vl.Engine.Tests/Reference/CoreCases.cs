using Xunit;

namespace Lfm2Vl.Engine.Tests.Reference;

/// <summary>
/// The cases tests/pytorch/gen_core_fixtures.py writes to tests/Fixtures/core. Kept here, apart from the folder,
/// so a deleted or never-generated fixture fails a test (FixtureInventory) instead of silently shrinking the suite.
/// Refresh with: /usr/bin/python3 tests/pytorch/gen_core_fixtures.py --list
/// </summary>
public static class CoreCases
{
    public const string Group = "core";

    private static readonly string[] Reductions = ["all", "ax02", "ax02_keep", "ax1", "ax1_keep", "axm1", "axm1_keep"];
    private static readonly string[] Broadcasts = ["31_14", "3d_31", "4_3d", "same"];

    public static readonly IReadOnlyList<string> All =
    [
        .. new[] { "add", "sub", "mul", "div" }.SelectMany(op => Broadcasts.Select(b => $"{op}_{b}")),
        "neg", "pow_scalar_3", "pow_scalar_frac", "pow_tensor", "exp", "log", "sqrt", "rsqrt", "abs", "clamp", "clamp_min",
        "relu", "leaky_relu", "gelu_none", "gelu_tanh", "silu", "sigmoid", "tanh",
        .. new[] { "sum", "mean", "amax", "amin", "var_c0", "var_c1", "std_c0", "std_c1" }.SelectMany(op => Reductions.Select(r => $"{op}_{r}")),
        "amax_ties", "amax_ties_all", "amin_ties",
        "argmax_d0", "argmax_d1", "argmax_dm1_keep", "argmax_ties",
        "matmul_2d", "matmul_3d", "matmul_3d_bcast", "matmul_3d_2d", "matmul_4d_bcast", "matmul_1d_2d", "matmul_2d_1d", "matmul_1d_1d",
        "softmax_d0", "softmax_d1", "softmax_dm1", "log_softmax_d0", "log_softmax_d1", "log_softmax_dm1",
        "cat_d1", "cat_dm1", "stack_d0", "stack_d1", "stack_dm1", "split_sizes", "split_chunk", "narrow", "narrow_neg_start",
        "gather_d1", "gather_dm1", "index_select_d0", "index_select_d1", "where", "where_float_cond", "masked_fill", "one_hot",
        "permute_contiguous", "transpose_contiguous", "transpose_m1_contiguous",
    ];

    public static TheoryData<string> Names() => FixtureInventory.Theory(All);
}
