using FsCheck;
using FsCheck.Fluent;
using Lfm2Vl.Tests.Shared;

namespace Lfm2Vl.Engine.Tests.Support;

/// <summary>The checks that every op sample must pass, as FsCheck properties.</summary>
public static class OpProperties
{
    /// <summary>Analytic float64 gradients of every input match finite differences (see <see cref="GradCheck"/>).</summary>
    public static Property Gradient(Gen<OpSample> samples) => Prop.ForAll(samples.ToArbitrary(), CheckGradient);

    public static void CheckGradient(OpSample sample)
    {
        using var scope = TensorScope.Begin();
        GradCheck.Assert(sample.F, sample.Build(DType.Float64), new GradCheckOptions(), sample.ToString());
    }
}
