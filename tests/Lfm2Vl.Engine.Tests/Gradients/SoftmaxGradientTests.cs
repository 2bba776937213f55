using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Lfm2Vl.Engine.Tests.Support;
using static Lfm2Vl.Engine.Tests.Support.ValueDomain;

namespace Lfm2Vl.Engine.Tests.Gradients;

/// <summary>Softmax and log-softmax along any axis (the last axis directly, others through a transpose).</summary>
public static class SoftmaxOps
{
    private static Gen<OpSample> Along(string op, Func<Tensor, int, Tensor> f) =>
        from shape in Gens.Shape(minRank: 1)
        from axis in Gens.Axis(shape.Length)
        from x in Gens.Input(shape, Uniform(-3, 3))
        select new OpSample(op, $"axis={axis}", [x], xs => f(xs[0], axis));

    public static Gen<OpSample> Softmax => Along("softmax", (x, a) => x.Softmax(a));
    public static Gen<OpSample> LogSoftmax => Along("log_softmax", (x, a) => x.LogSoftmax(a));

    public static IReadOnlyList<OpGen> All => [new("softmax", Softmax), new("log_softmax", LogSoftmax)];
}

public class SoftmaxGradientTests
{
    [Property(MaxTest = 40)] public Property Softmax() => OpProperties.Gradient(SoftmaxOps.Softmax);
    [Property(MaxTest = 40)] public Property LogSoftmax() => OpProperties.Gradient(SoftmaxOps.LogSoftmax);
}
