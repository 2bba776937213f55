using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Lfm2Vl.Engine.Tests.Support;
using static Lfm2Vl.Engine.Tests.Support.ValueDomain;

namespace Lfm2Vl.Engine.Tests.Gradients;

/// <summary>
/// Losses, under every reduction. Integer targets are captured arrays turned into tensors inside f; float
/// targets, class weights and pos_weight are differentiable inputs and are checked like the predictions.
/// </summary>
public static class NnLossOps
{
    private static Gen<Reduction> Reductions => Gen.Elements(Reduction.Mean, Reduction.Sum, Reduction.None);

    private static Gen<int[]> Matrix => from n in Gen.Choose(1, 4) from c in Gen.Choose(1, 4) select new[] { n, c };

    /// <summary>Multiples of 0.5 in [-2, 2]: targets whose |input - target| kinks sit on a known grid.</summary>
    private static ValueDomain Halves => new("halves[-2,2]", (g, n) => Enumerable.Range(0, n).Select(_ => (g.NextInt(9) - 4) * 0.5).ToArray());

    /// <summary>Inputs at least 0.05 from every multiple of 0.5: with targets on the half grid and beta/delta a
    /// multiple of 0.5, |input - target| stays off both 0 and the quadratic/linear switch point.</summary>
    private static ValueDomain OffHalves => AvoidPoints(Enumerable.Range(-8, 17).Select(i => i * 0.5).ToArray(), 0.05, -3, 3);

    /// <summary>Targets with some entries set to the ignored index; the first is always counted, so a mean never divides by zero.</summary>
    public static Gen<OpSample> CrossEntropy =>
        from n in Gen.Choose(1, 4)
        from c in Gen.Choose(2, 4)
        from classes in Gen.ArrayOf(Gen.Choose(0, c - 1), n)
        from ignoreIndex in Gen.Elements(-100, 0, 1)
        from ignored in Gen.ArrayOf(Gen.Frequency((3, Gen.Constant(false)), (1, Gen.Constant(true))), n)
        let targets = classes.Select((t, i) => i > 0 && ignored[i] ? ignoreIndex : t == ignoreIndex ? (t + 1) % c : t).ToArray()
        where targets[0] != ignoreIndex
        from smoothing in Gen.Elements(0.0, 0.1, 0.3)
        from weighted in Gens.Bool
        from reduction in Reductions
        from logits in Gens.Input([n, c], Uniform(-3, 3))
        from weight in Gens.Input([c], Positive(0.5, 2))
        select new OpSample("cross_entropy",
            $"targets=[{string.Join(",", targets)}] ignore_index={ignoreIndex} smoothing={smoothing} weighted={weighted} {reduction}",
            weighted ? [logits, weight] : [logits],
            xs => Functional.CrossEntropy(xs[0], Tensor.FromArray(targets, n), xs.Length > 1 ? xs[1] : null, smoothing, ignoreIndex, reduction));

    public static Gen<OpSample> BinaryCrossEntropyWithLogits =>
        from shape in Matrix
        from weighted in Gens.Bool
        from withPosWeight in Gens.Bool
        from reduction in Reductions
        from logits in Gens.Input(shape, Uniform(-4, 4))
        from target in Gens.Input(shape, Uniform(0, 1))
        from weight in Gens.Input(shape, Positive(0.5, 2))
        from posWeight in Gens.Input([shape[1]], Positive(0.25, 3))
        let inputs = new[] { logits, target }.Concat(weighted ? [weight] : []).Concat(withPosWeight ? [posWeight] : []).ToArray()
        select new OpSample("bce_with_logits", $"weighted={weighted} pos_weight={withPosWeight} {reduction}", inputs, xs =>
            Functional.BinaryCrossEntropyWithLogits(xs[0], xs[1], weighted ? xs[2] : null, withPosWeight ? xs[^1] : null, reduction));

    /// <summary>Soft targets in (0, 1): 1 - p_t stays positive, so (1 - p_t)^gamma is smooth for every gamma.</summary>
    public static Gen<OpSample> SigmoidFocalLoss =>
        from shape in Matrix
        from alpha in Gen.Elements(0.25, 0.5, -1.0)
        from gamma in Gen.Elements(0.0, 1.0, 1.5, 2.0)
        from reduction in Reductions
        from logits in Gens.Input(shape, Uniform(-4, 4))
        from target in Gens.Input(shape, Uniform(0.02, 0.98))
        select new OpSample("sigmoid_focal_loss", $"alpha={alpha} gamma={gamma} {reduction}", [logits, target],
            xs => Functional.SigmoidFocalLoss(xs[0], xs[1], alpha, gamma, reduction));

    public static Gen<OpSample> MseLoss =>
        from shape in Gens.Shape(1, 3)
        from reduction in Reductions
        from input in Gens.Input(shape, Uniform())
        from target in Gens.Input(shape, Uniform())
        select new OpSample("mse_loss", $"{reduction}", [input, target], xs => Functional.MseLoss(xs[0], xs[1], reduction));

    public static Gen<OpSample> SmoothL1Loss =>
        from shape in Gens.Shape(1, 3)
        from beta in Gen.Elements(0.0, 0.5, 1.0, 1.5)
        from reduction in Reductions
        from input in Gens.Input(shape, OffHalves)
        from target in Gens.Input(shape, Halves)
        select new OpSample("smooth_l1_loss", $"beta={beta} {reduction}", [input, target], xs => Functional.SmoothL1Loss(xs[0], xs[1], beta, reduction));

    public static Gen<OpSample> HuberLoss =>
        from shape in Gens.Shape(1, 3)
        from delta in Gen.Elements(0.5, 1.0, 1.5)
        from reduction in Reductions
        from input in Gens.Input(shape, OffHalves)
        from target in Gens.Input(shape, Halves)
        select new OpSample("huber_loss", $"delta={delta} {reduction}", [input, target], xs => Functional.HuberLoss(xs[0], xs[1], delta, reduction));

    /// <summary>
    /// Pairs of valid boxes as one [N, 2, 4] input (box, then target), so both get checked. Per axis the four
    /// edges are distinct points of a 0.5 grid (with small jitter), split between the two boxes in any of the
    /// six ways (disjoint, overlapping, nested): no box is degenerate, no edges tie in the min/max, and the
    /// intersection extent is never within the step of zero (touching).
    /// </summary>
    private static ValueDomain BoxPairs => new("box pairs", (g, n) =>
    {
        var v = new double[n];
        for (int pair = 0; pair < n / 8; pair++)
            for (int axis = 0; axis < 2; axis++)
            {
                var grid = Enumerable.Range(0, 8).ToArray();
                g.Shuffle<int>(grid);
                var edges = grid.Take(4).Order().Select(p => p * 0.5 + g.NextUniform(-0.1, 0.1)).ToArray();
                var forBox = new[] { (0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3) }[g.NextInt(6)];
                var forTarget = Enumerable.Range(0, 4).Where(i => i != forBox.Item1 && i != forBox.Item2).ToArray();
                v[pair * 8 + axis] = edges[forBox.Item1];
                v[pair * 8 + axis + 2] = edges[forBox.Item2];
                v[pair * 8 + 4 + axis] = edges[forTarget[0]];
                v[pair * 8 + 4 + axis + 2] = edges[forTarget[1]];
            }
        return v;
    });

    public static Gen<OpSample> GeneralizedIouLoss =>
        from n in Gen.Choose(1, 3)
        from reduction in Reductions
        from pairs in Gens.Input([n, 2, 4], BoxPairs)
        select new OpSample("generalized_iou_loss", $"{reduction}", [pairs],
            xs => Functional.GeneralizedIouLoss(xs[0].Select(1, 0), xs[0].Select(1, 1), reduction));
}

public class NnLossGradientTests
{
    [Property(MaxTest = 50)] public Property CrossEntropy() => OpProperties.Gradient(NnLossOps.CrossEntropy);
    [Property(MaxTest = 30)] public Property BinaryCrossEntropyWithLogits() => OpProperties.Gradient(NnLossOps.BinaryCrossEntropyWithLogits);
    [Property(MaxTest = 30)] public Property SigmoidFocalLoss() => OpProperties.Gradient(NnLossOps.SigmoidFocalLoss);
    [Property(MaxTest = 20)] public Property MseLoss() => OpProperties.Gradient(NnLossOps.MseLoss);
    [Property(MaxTest = 30)] public Property SmoothL1Loss() => OpProperties.Gradient(NnLossOps.SmoothL1Loss);
    [Property(MaxTest = 30)] public Property HuberLoss() => OpProperties.Gradient(NnLossOps.HuberLoss);
    [Property(MaxTest = 30)] public Property GeneralizedIouLoss() => OpProperties.Gradient(NnLossOps.GeneralizedIouLoss);
}
