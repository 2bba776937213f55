using Xunit;

namespace Lfm2Vl.Engine.Tests.Cpu;

/// <summary>
/// The 2x2 / stride 2 / no padding max pool (a path of its own in the CPU backend) against the definition:
/// values and the chosen positions (seen through the gradient of sum(y)), with ties, NaN and -inf, odd sizes whose
/// last row/column no window covers, and ceil mode (whose windows leave the input, so the general path runs).
/// </summary>
public class PoolPathTests
{
    /// <summary>y and argmax (plane-relative) by the definition: row-major scan, a larger value or the first NaN wins.</summary>
    private static (double[] Y, int[] Arg) Reference(double[] x, int planes, int h, int w, int oh, int ow)
    {
        var y = new double[planes * oh * ow];
        var arg = new int[y.Length];
        for (int pl = 0; pl < planes; pl++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                {
                    double best = double.NaN; int at = -1;
                    for (int ky = 0; ky < 2 && 2 * oy + ky < h; ky++)
                        for (int kx = 0; kx < 2 && 2 * ox + kx < w; kx++)
                        {
                            int idx = (2 * oy + ky) * w + 2 * ox + kx;
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
}
