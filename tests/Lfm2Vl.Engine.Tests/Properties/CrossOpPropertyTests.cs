using FsCheck;
using FsCheck.Fluent;
using Lfm2Vl.Engine.Tests.Support;
using Xunit;

namespace Lfm2Vl.Engine.Tests.Properties;

/// <summary>
/// Properties every op in <see cref="OpCatalog"/> must have, one theory row per op so that each op gets its
/// own share of FsCheck samples: float32 agrees with float64, and memory layout does not change results.
/// </summary>
public class CrossOpPropertyTests
{
    private const int SamplesPerOp = 15;

    // float32 rounds at 6e-8 relative per operation; the sampled ops chain at most ~10 roundings on values
    // and partial sums of magnitude up to ~10 (sums of <= 81 terms), so errors stay below ~1e-5 absolute
    // plus 1e-5 relative, while a wrong float32 kernel (another formula, a missed branch) is off by O(1).
    private const double F32Abs = 1e-5, F32Rel = 1e-5;

    public static TheoryData<string> Ops => OpCatalog.Names();

    private static void ForAllSamples(string op, Action<OpSample> check) =>
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(SamplesPerOp).WithQuietOnSuccess(true),
            Prop.ForAll(OpCatalog.Get(op).Gen.ToArbitrary(), check));

    [Theory, MemberData(nameof(Ops))]
    public void Float32ForwardAgreesWithFloat64(string op) => ForAllSamples(op, s =>
    {
        using var scope = TensorScope.Begin();
        // Both runs see the same float32-representable inputs, so only the arithmetic differs.
        var y64 = s.F(s.Build(DType.Float64, roundToFloat32: true));
        var y32 = s.F(s.Build(DType.Float32, roundToFloat32: true));
        Assert.Equal(DType.Float32, y32.DType);
        Approx.Equal(y64, y32, F32Abs, F32Rel, $"float32 forward of {s}");
    });

    [Theory, MemberData(nameof(Ops))]
    public void Float32GradientAgreesWithFloat64(string op) => ForAllSamples(op, s =>
    {
        using var scope = TensorScope.Begin();
        var g64 = Gradients(s, DType.Float64);
        var g32 = Gradients(s, DType.Float32);
        for (int i = 0; i < g64.Length; i++)
            Approx.Equal(g64[i], g32[i], F32Abs, F32Rel, $"float32 gradient of input {i} of {s}");
    });

    /// <summary>Permuted and narrowed (NaN-padded) inputs give exactly what contiguous copies give, up to
    /// the summation order of reductions.</summary>
    [Theory, MemberData(nameof(Ops))]
    public void LayoutDoesNotChangeForwardOrGradient(string op) => ForAllSamples(op, s =>
    {
        using var scope = TensorScope.Begin();
        var yContiguous = s.F(s.Build(DType.Float64, contiguous: true)).ToDoubleArray();
        var yLaidOut = s.F(s.Build(DType.Float64)).ToDoubleArray();
        Approx.Equal(yContiguous, yLaidOut, 1e-12, 1e-12, $"forward with laid-out inputs of {s}");
        var gContiguous = Gradients(s, DType.Float64, contiguous: true);
        var gLaidOut = Gradients(s, DType.Float64);
        for (int i = 0; i < gContiguous.Length; i++)
            Approx.Equal(gContiguous[i], gLaidOut[i], 1e-12, 1e-12, $"gradient of input {i} with laid-out inputs of {s}");
    });

    /// <summary>Gradients of sum(f(x) * w) for fixed weights w = 1, -0.5, 1, -0.5, ...</summary>
    private static double[][] Gradients(OpSample s, DType dtype, bool contiguous = false)
    {
        var xs = s.Build(dtype, contiguous, roundToFloat32: true);
        foreach (var x in xs) x.RequireGrad();
        var y = s.F(xs);
        var w = Tensor.FromDoubles(Enumerable.Range(0, y.Numel).Select(k => k % 2 == 0 ? 1.0 : -0.5).ToArray(), y.Shape, dtype);
        if (y.RequiresGrad) (y * w).Sum().Backward();
        return xs.Select(x => x.Grad?.ToDoubleArray() ?? new double[x.Numel]).ToArray();
    }
}
