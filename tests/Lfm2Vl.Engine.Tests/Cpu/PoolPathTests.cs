using Xunit;

namespace Lfm2Vl.Engine.Tests.Cpu;

/// <summary>
/// The CPU max pool's paths (2x2 / stride 2 / no padding; the general loop with its unclipped interior windows and
/// clipped border ones) against the definition: values and the chosen positions (seen through the gradient of
/// sum(y)), with ties, NaN and -inf, odd sizes whose last row/column no window covers, padding and ceil mode.
/// </summary>
public class PoolPathTests
{
    /// <summary>y and argmax (plane-relative) by the definition: row-major scan, a larger value or the first NaN wins.</summary>
    private static (double[] Y, int[] Arg) Reference(double[] x, int planes, int h, int w, int oh, int ow, int k = 2, int st = 2, int pad = 0)
    {
        var y = new double[planes * oh * ow];
        var arg = new int[y.Length];
        for (int pl = 0; pl < planes; pl++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                {
                    double best = double.NaN; int at = -1;
                    for (int ky = 0; ky < k; ky++)
                        for (int kx = 0; kx < k; kx++)
                        {
                            int iy = oy * st - pad + ky, jx = ox * st - pad + kx;
                            if (iy < 0 || iy >= h || jx < 0 || jx >= w) continue;
                            int idx = iy * w + jx;
                            double v = x[pl * h * w + idx];
                            if (at >= 0 && double.IsNaN(best)) continue;
                            if (at < 0 || v > best || double.IsNaN(v)) { best = v; at = idx; }
                        }
                    y[(pl * oh + oy) * ow + ox] = best;
                    arg[(pl * oh + oy) * ow + ox] = at;
                }
        return (y, arg);
    }

    public static TheoryData<int, int, int, int, bool, DType> Cases() => new()
    {
        { 1, 3, 64, 64, false, DType.Float32 }, { 2, 5, 7, 9, false, DType.Float32 }, { 1, 2, 2, 2, false, DType.Float64 },
        { 3, 1, 11, 6, false, DType.Float64 }, { 2, 3, 7, 9, true, DType.Float32 }, { 1, 40, 33, 31, false, DType.Float32 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MaxPool2x2MatchesTheDefinition(int n, int c, int h, int w, bool ceil, DType dtype)
    {
        var rng = new Random(h * 100 + w);
        var xs = new double[n * c * h * w];
        // Few distinct values make ties common; some NaN and -inf.
        for (int i = 0; i < xs.Length; i++)
        {
            int r = rng.Next(40);
            xs[i] = r == 0 ? double.NaN : r == 1 ? double.NegativeInfinity : rng.Next(-3, 4);
        }
        int oh = ceil ? (h + 1) / 2 : h / 2, ow = ceil ? (w + 1) / 2 : w / 2;
        var (yRef, argRef) = Reference(xs, n * c, h, w, oh, ow);

        var x = Tensor.FromDoubles(xs, [n, c, h, w], dtype).RequireGrad();
        var y = Functional.MaxPool2d(x, 2, ceilMode: ceil);
        Assert.Equal([n, c, oh, ow], y.Dims.ToArray());
        var got = y.ToDoubleArray();
        for (int i = 0; i < got.Length; i++)
            Assert.True(got[i].Equals(yRef[i]), $"y[{i}] = {got[i]}, expected {yRef[i]}");

        y.Sum().Backward();
        var expectedGrad = new double[xs.Length];
        for (int i = 0; i < argRef.Length; i++) expectedGrad[i / (oh * ow) * h * w + argRef[i]] += 1;
        Assert.Equal(expectedGrad, x.Grad!.ToDoubleArray());
    }

    public static TheoryData<int, int, int, int, int, int, bool> GeneralCases() => new()
    {
        { 2, 9, 12, 3, 2, 1, false }, { 3, 7, 10, 3, 2, 1, true }, { 2, 8, 8, 3, 1, 1, false }, { 1, 13, 11, 4, 3, 2, false },
        { 2, 6, 6, 3, 3, 0, false },
    };

    [Theory]
    [MemberData(nameof(GeneralCases))]
    public void GeneralMaxPoolMatchesTheDefinition(int c, int h, int w, int k, int st, int pad, bool ceil)
    {
        var rng = new Random(h * 100 + w + k);
        var xs = new double[c * h * w];
        for (int i = 0; i < xs.Length; i++)
        {
            int r = rng.Next(30);
            xs[i] = r == 0 ? double.NaN : r == 1 ? double.NegativeInfinity : rng.Next(-3, 4);
        }
        var p = new Lfm2Vl.Engine.Pool2dParams(k, k, st, st, pad, pad, ceil);
        int oh = p.OutH(h), ow = p.OutW(w);
        var (yRef, argRef) = Reference(xs, c, h, w, oh, ow, k, st, pad);

        var x = Tensor.FromDoubles(xs, [1, c, h, w], DType.Float32).RequireGrad();
        var y = Functional.MaxPool2d(x, k, st, pad, ceil);
        Assert.Equal([1, c, oh, ow], y.Dims.ToArray());
        var got = y.ToDoubleArray();
        for (int i = 0; i < got.Length; i++)
            Assert.True(got[i].Equals(yRef[i]), $"y[{i}] = {got[i]}, expected {yRef[i]}");

        y.Sum().Backward();
        var expectedGrad = new double[xs.Length];
        for (int i = 0; i < argRef.Length; i++) expectedGrad[i / (oh * ow) * h * w + argRef[i]] += 1;
        Assert.Equal(expectedGrad, x.Grad!.ToDoubleArray());
    }
}
