using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Lfm2Vl.Engine.Tests.Support;
using static Lfm2Vl.Engine.Tests.Support.ValueDomain;

namespace Lfm2Vl.Engine.Tests.Gradients;

/// <summary>
/// Batch, layer and group normalization. Inputs are pairwise distinct (at least 0.2 apart), so no normalized
/// group has a near-zero variance whose huge gradients finite differences cannot follow.
/// </summary>
public static class NnNormOps
{
    /// <summary>
    /// Training-mode batch norm, affine or not. The running statistics are buffers, not inputs: they are made
    /// fresh inside f on every call (the op updates them in place) and never differentiated.
    /// </summary>
    public static Gen<OpSample> BatchNormTraining =>
        from n in Gen.Choose(1, 3)
        from c in Gen.Choose(1, 3)
        from spatial in Gens.Shape(0, 2, 1, 3)
        where n * spatial.Aggregate(1, (a, b) => a * b) > 1
        from affine in Gens.Bool
        from withRunning in Gens.Bool
        from x in Gens.Input([n, c, .. spatial], Distinct)
        from weight in Gens.Input([c], AwayFromZero(0.5, 2))
        from bias in Gens.Input([c], Uniform())
        select new OpSample("batch_norm(train)", $"affine={affine} running_stats={withRunning}", affine ? [x, weight, bias] : [x], xs =>
        {
            var runningMean = withRunning ? Tensor.Zeros([c], xs[0].DType) : null;
            var runningVar = withRunning ? Tensor.Ones([c], xs[0].DType) : null;
            return Functional.BatchNorm(xs[0], runningMean, runningVar, xs.Length > 1 ? xs[1] : null, xs.Length > 2 ? xs[2] : null, training: true);
        });

    /// <summary>Evaluation-mode batch norm with fixed running statistics (an affine map of x, weight and bias).</summary>
    public static Gen<OpSample> BatchNormEval =>
        from n in Gen.Choose(1, 2)
        from c in Gen.Choose(1, 3)
        from spatial in Gens.Shape(0, 2, 1, 3)
        from stats in Gen.ArrayOf(Gen.Choose(1, 20), 2 * c)
        from x in Gens.Input([n, c, .. spatial], Uniform())
        from weight in Gens.Input([c], Uniform())
        from bias in Gens.Input([c], Uniform())
        select new OpSample("batch_norm(eval)", $"running=[{string.Join(",", stats)}]/10", [x, weight, bias], xs =>
        {
            var runningMean = Tensor.FromDoubles(stats.Take(c).Select(v => v / 10.0 - 1).ToArray(), [c], xs[0].DType);
            var runningVar = Tensor.FromDoubles(stats.Skip(c).Select(v => v / 10.0).ToArray(), [c], xs[0].DType);
            return Functional.BatchNorm(xs[0], runningMean, runningVar, xs[1], xs[2], training: false);
        });

    public static Gen<OpSample> LayerNorm =>
        from shape in Gens.Shape(1, 3, 1, 3)
        from dims in Gen.Choose(1, shape.Length)
        let normalized = shape[^dims..]
        where normalized.Aggregate(1, (a, b) => a * b) > 1
        from affine in Gen.Elements(0, 1, 2)
        from x in Gens.Input(shape, Distinct)
        from weight in Gens.Input(normalized, Uniform())
        from bias in Gens.Input(normalized, Uniform())
        select new OpSample("layer_norm", $"dims={dims} {(affine == 0 ? "plain" : affine == 1 ? "weight" : "weight+bias")}",
            affine == 0 ? [x] : affine == 1 ? [x, weight] : [x, weight, bias],
            xs => Functional.LayerNorm(xs[0], dims, xs.Length > 1 ? xs[1] : null, xs.Length > 2 ? xs[2] : null));

    public static Gen<OpSample> GroupNorm =>
        from n in Gen.Choose(1, 2)
        from groups in Gen.Choose(1, 3)
        from perGroup in Gen.Choose(1, 2)
        from spatial in Gens.Shape(0, 2, 1, 3)
        where perGroup * spatial.Aggregate(1, (a, b) => a * b) > 1
        from affine in Gens.Bool
        from x in Gens.Input([n, groups * perGroup, .. spatial], Distinct)
        from weight in Gens.Input([groups * perGroup], Uniform())
        from bias in Gens.Input([groups * perGroup], Uniform())
        select new OpSample("group_norm", $"groups={groups} affine={affine}", affine ? [x, weight, bias] : [x],
            xs => Functional.GroupNorm(xs[0], groups, xs.Length > 1 ? xs[1] : null, xs.Length > 2 ? xs[2] : null));
}

public class NnNormGradientTests
{
    [Property(MaxTest = 40)] public Property BatchNormTraining() => OpProperties.Gradient(NnNormOps.BatchNormTraining);
    [Property(MaxTest = 20)] public Property BatchNormEval() => OpProperties.Gradient(NnNormOps.BatchNormEval);
    [Property(MaxTest = 30)] public Property LayerNorm() => OpProperties.Gradient(NnNormOps.LayerNorm);
    [Property(MaxTest = 30)] public Property GroupNorm() => OpProperties.Gradient(NnNormOps.GroupNorm);
}
