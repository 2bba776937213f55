using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Lfm2Vl.Engine.Tests.Support;
using static Lfm2Vl.Engine.Tests.Support.ValueDomain;

namespace Lfm2Vl.Engine.Tests.Gradients;

/// <summary>Reductions over random axis sets (or all axes), with and without keepdim.</summary>
public static class ReductionOps
{
    private static int Count(int[] shape, int[]? axes) =>
        axes is null ? shape.Aggregate(1, (a, b) => a * b) : axes.Aggregate(1, (a, d) => a * shape[d < 0 ? d + shape.Length : d]);

    private static Gen<OpSample> Reduction(string op, ValueDomain domain, Func<Tensor, int[]?, bool, Tensor> f) =>
        from shape in Gens.Shape()
        from axes in Gens.Axes(shape.Length)
        from keep in Gens.Bool
        from x in Gens.Input(shape, domain)
        select new OpSample(op, $"axes={Gens.Format(axes)} keepdim={keep}", [x], xs => f(xs[0], axes, keep));

    /// <summary>var/std with correction 0 or 1; std needs at least two reduced values (its derivative at var = 0 is infinite).</summary>
    private static Gen<OpSample> Spread(string op, int minCount, Func<Tensor, int[]?, bool, int, Tensor> f) =>
        from shape in Gens.Shape()
        from axes in Gens.Axes(shape.Length)
        where Count(shape, axes) >= minCount
        from keep in Gens.Bool
        from correction in Count(shape, axes) >= 2 ? Gen.Elements(0, 1) : Gen.Constant(0)
        from x in Gens.Input(shape, Uniform())
        select new OpSample(op, $"axes={Gens.Format(axes)} keepdim={keep} correction={correction}", [x],
            xs => f(xs[0], axes, keep, correction));

    public static Gen<OpSample> Sum => Reduction("sum", Uniform(), (x, a, k) => x.Sum(a, k));
    public static Gen<OpSample> Mean => Reduction("mean", Uniform(), (x, a, k) => x.Mean(a, k));
    public static Gen<OpSample> Max => Reduction("max", Distinct, (x, a, k) => x.Max(a, k));
    public static Gen<OpSample> Min => Reduction("min", Distinct, (x, a, k) => x.Min(a, k));
    public static Gen<OpSample> Var => Spread("var", 1, (x, a, k, c) => x.Var(a, k, c));
    public static Gen<OpSample> Std => Spread("std", 2, (x, a, k, c) => x.Std(a, k, c));

    public static IReadOnlyList<OpGen> All =>
    [
        new("sum", Sum), new("mean", Mean), new("max", Max), new("min", Min), new("var", Var), new("std", Std),
    ];
}

public class ReductionGradientTests
{
    private const int N = 40;

    [Property(MaxTest = N)] public Property Sum() => OpProperties.Gradient(ReductionOps.Sum);
    [Property(MaxTest = N)] public Property Mean() => OpProperties.Gradient(ReductionOps.Mean);
    [Property(MaxTest = N)] public Property Max() => OpProperties.Gradient(ReductionOps.Max);
    [Property(MaxTest = N)] public Property Min() => OpProperties.Gradient(ReductionOps.Min);
    [Property(MaxTest = N)] public Property Var() => OpProperties.Gradient(ReductionOps.Var);
    [Property(MaxTest = N)] public Property Std() => OpProperties.Gradient(ReductionOps.Std);
}
