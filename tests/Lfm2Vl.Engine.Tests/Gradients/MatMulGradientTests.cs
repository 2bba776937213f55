using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Lfm2Vl.Engine.Tests.Support;
using static Lfm2Vl.Engine.Tests.Support.ValueDomain;

namespace Lfm2Vl.Engine.Tests.Gradients;

/// <summary>Matrix products: 1-D operands, plain matrices and batches whose batch dimensions broadcast.</summary>
public static class MatMulOps
{
    public static Gen<OpSample> MatMul =>
        from batch in Gens.BroadcastPair(maxRank: 2)
        from m in Gen.Choose(1, 3)
        from k in Gen.Choose(1, 4)
        from n in Gen.Choose(1, 3)
        from aVector in Gen.Frequency((3, Gen.Constant(false)), (1, Gen.Constant(true)))
        from bVector in Gen.Frequency((3, Gen.Constant(false)), (1, Gen.Constant(true)))
        from a in Gens.Input(aVector ? [k] : [.. batch.A, m, k], Uniform())
        from b in Gens.Input(bVector ? [k] : [.. batch.B, k, n], Uniform())
        select new OpSample("matmul", "", [a, b], xs => Tensor.MatMul(xs[0], xs[1]));

    /// <summary>a @ b^T with the transpose taken inside the graph (its backward permutes the gradient back).</summary>
    public static Gen<OpSample> MatMulTransposed =>
        from batch in Gens.BroadcastPair(maxRank: 2)
        from m in Gen.Choose(1, 3)
        from k in Gen.Choose(1, 4)
        from n in Gen.Choose(1, 3)
        from a in Gens.Input([.. batch.A, m, k], Uniform())
        from b in Gens.Input([.. batch.B, n, k], Uniform())
        select new OpSample("matmul(a, b.T)", "", [a, b], xs => xs[0].MatMul(xs[1].T));

    public static IReadOnlyList<OpGen> All => [new("matmul", MatMul), new("matmul(a, b.T)", MatMulTransposed)];
}

public class MatMulGradientTests
{
    [Property(MaxTest = 50)] public Property MatMul() => OpProperties.Gradient(MatMulOps.MatMul);
    [Property(MaxTest = 25)] public Property MatMulWithTransposedOperand() => OpProperties.Gradient(MatMulOps.MatMulTransposed);
}
