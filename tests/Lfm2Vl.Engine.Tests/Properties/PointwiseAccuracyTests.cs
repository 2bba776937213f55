using System.Globalization;
using Xunit;

namespace Lfm2Vl.Engine.Tests.Properties;

/// <summary>
/// Element-wise ops against System.Math references over many orders of magnitude, in float32 and float64,
/// through the vectorized (contiguous) and the scalar (strided) kernels. Relative error is what matters
/// for small activations: an op can be accurate to 1e-7 absolute and still be useless near zero.
/// </summary>
public class PointwiseAccuracyTests
{
    public sealed record Case(string Name, Func<Tensor, Tensor> Op, Func<double, double> Reference, double MinMagnitude, double MaxMagnitude, bool Signed, double Center = 0)
    {
        public override string ToString() => Name;
    }

    private static readonly Case[] Cases =
    [
        new("exp", x => x.Exp(), Math.Exp, 1e-8, 20, true),
        new("log", x => x.Log(), Math.Log, 1e-8, 1e6, false),
        new("log near 1", x => x.Log(), Math.Log, 1e-7, 0.5, true, Center: 1),
        new("sqrt", x => x.Sqrt(), Math.Sqrt, 1e-8, 1e6, false),
        new("rsqrt", x => x.Rsqrt(), v => 1 / Math.Sqrt(v), 1e-8, 1e6, false),
        new("reciprocal", x => x.Reciprocal(), v => 1 / v, 1e-8, 1e6, true),
        new("tanh", x => x.Tanh(), Math.Tanh, 1e-10, 20, true),
        new("sigmoid", x => x.Sigmoid(), v => 1 / (1 + Math.Exp(-v)), 1e-10, 30, true),
        new("silu", x => x.Silu(), v => v / (1 + Math.Exp(-v)), 1e-10, 30, true),
        new("pow(1.5)", x => x.Pow(1.5), v => Math.Pow(v, 1.5), 1e-8, 1e4, false),
    ];

    public static TheoryData<string, DType, bool> Rows()
    {
        var data = new TheoryData<string, DType, bool>();
        foreach (var c in Cases)
            foreach (var dtype in new[] { DType.Float32, DType.Float64 })
                foreach (var strided in new[] { false, true })
                    data.Add(c.Name, dtype, strided);
        return data;
    }

    /// <summary>Log-uniform magnitudes spanning the case's range, with random signs where the op allows them.</summary>
    private static double[] Inputs(Case c, DType dtype)
    {
        var gen = new Generator(77);
        var v = new double[1024];
        double lo = Math.Log(c.MinMagnitude), hi = Math.Log(c.MaxMagnitude);
        for (int i = 0; i < v.Length; i++)
        {
            double m = Math.Exp(gen.NextUniform(lo, hi)) * (c.Signed && gen.NextDouble() < 0.5 ? -1 : 1);
            v[i] = c.Center + m;
            if (dtype == DType.Float32) v[i] = (float)v[i];
        }
        return v;
    }

    [Theory, MemberData(nameof(Rows))]
    public void MatchesMathReferenceInRelativeTerms(string name, DType dtype, bool strided)
    {
        var c = Cases.Single(k => k.Name == name);
        var xs = Inputs(c, dtype);
        using var scope = TensorScope.Begin();
        var x = Tensor.FromDoubles(xs, [xs.Length], dtype);
        // One column of an [n, 2] tensor (stride 2) forces the scalar loop instead of the vector kernel.
        var input = strided ? Tensor.FromDoubles(xs.SelectMany(v => new[] { v, 1.0 }).ToArray(), [xs.Length, 2], dtype).Select(1, 0) : x;
        Assert.Equal(strided, !input.IsContiguous);
        var y = c.Op(input).ToDoubleArray();

        // Within 8 units of the dtype's precision of the reference, relative (plus the smallest normal, for underflow).
        double eps = dtype == DType.Float32 ? Math.Pow(2, -23) : Math.Pow(2, -52);
        double tiny = dtype == DType.Float32 ? 1.2e-38 : 2.3e-308;
        for (int i = 0; i < xs.Length; i++)
        {
            double r = c.Reference(xs[i]);
            if (dtype == DType.Float32) r = (float)r;
            double err = Math.Abs(y[i] - r);
            if (!(err <= 8 * eps * Math.Abs(r) + tiny))
                Assert.Fail(string.Create(CultureInfo.InvariantCulture,
                    $"{name} ({dtype}, {(strided ? "strided" : "contiguous")}) of {xs[i]:R} is {y[i]:R}, reference {r:R}: relative error {err / Math.Abs(r):G3} ({err / (eps * Math.Abs(r)):F0} units)."));
        }
    }
}
