using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Lfm2Vl.Deploy.Kernels;
using Xunit;

namespace Lfm2Vl.Deploy.Tests;

/// <summary>The float unfoldings put every tap (or the padding value) exactly where the packed GEMM reads it.</summary>
public class Im2ColTests
{
    private static (int C, int H, int W, int K, int S, int P, int OH, int OW) Geometry(int c, int h, int w, int k, int s, int p)
    {
        int[] kernels = [1, 3, 7];
        int kernel = kernels[k % 3], stride = 1 + s % 2, pad = Math.Min(p % 4, kernel / 2 + 1);
        int hh = kernel + h % 20, ww = kernel + w % 45;
        return (1 + c % 3, hh, ww, kernel, stride, pad, (hh + 2 * pad - kernel) / stride + 1, (ww + 2 * pad - kernel) / stride + 1);
    }

    [Property(MaxTest = 60)]
    public unsafe bool FloatUnfoldMatchesTaps(NonNegativeInt c, NonNegativeInt h, NonNegativeInt w, NonNegativeInt k, NonNegativeInt s, NonNegativeInt p)
    {
        var g = Geometry(c.Get, h.Get, w.Get, k.Get, s.Get, p.Get);
        var x = Enumerable.Range(0, g.C * g.H * g.W).Select(i => i + 1f).ToArray();
        int rows = g.C * g.K * g.K, plane = g.OH * g.OW;
        var dst = Enumerable.Repeat(float.NaN, PackedSgemm.PanelsN(plane) * PackedSgemm.NR * rows).ToArray();
        fixed (float* xp = x) fixed (float* dp = dst) Im2ColPacked.Unfold(xp, g.C, g.H, g.W, g.K, g.S, g.P, g.OH, g.OW, dp);
        for (int row = 0; row < rows; row++)
            for (int col = 0; col < PackedSgemm.PanelsN(plane) * PackedSgemm.NR; col++)
            {
                float expected = col < plane ? Tap(x, g, row, col, 0f) : 0f;
                if (dst[(col / 32 * rows + row) * 32 + col % 32] != expected) return false;
            }
        return true;
    }

    /// <summary>Both float unfoldings (runs, gathers) of a block of output columns, packed from panel 0, done in two channel ranges (two cores).</summary>
    [Property(MaxTest = 60)]
    public unsafe bool FloatUnfoldOfAColumnBlockMatchesTaps(NonNegativeInt c, NonNegativeInt h, NonNegativeInt w, NonNegativeInt k, NonNegativeInt s, NonNegativeInt p,
        NonNegativeInt startRaw, PositiveInt countRaw, NonNegativeInt splitRaw, bool gather)
    {
        var g = Geometry(c.Get, h.Get, w.Get, k.Get, s.Get, p.Get);
        var x = Enumerable.Range(0, g.C * g.H * g.W).Select(i => i + 1f).ToArray();
        int rows = g.C * g.K * g.K, plane = g.OH * g.OW;
        int start = startRaw.Get % plane, count = 1 + countRaw.Get % (plane - start);
        int padded = PackedSgemm.PanelsN(count) * PackedSgemm.NR;
        var dst = Enumerable.Repeat(float.NaN, padded * rows).ToArray();
        int split = splitRaw.Get % (g.C + 1);
        fixed (float* xp = x) fixed (float* dp = dst)
            foreach (var (c0, c1) in new[] { (0, split), (split, g.C) })
            {
                if (gather) Im2ColPacked.UnfoldGather(xp, g.C, g.H, g.W, g.K, g.S, g.P, g.OH, g.OW, dp, start, count, c0, c1);
                else Im2ColPacked.UnfoldRuns(xp, g.C, g.H, g.W, g.K, g.S, g.P, g.OH, g.OW, dp, start, count, c0, c1);
            }
        for (int row = 0; row < rows; row++)
            for (int col = 0; col < padded; col++)
            {
                float expected = col < count ? Tap(x, g, row, start + col, 0f) : 0f;
                if (dst[(col / 32 * rows + row) * 32 + col % 32] != expected) return false;
            }
        return true;
    }

    /// <summary>Stride-2 stems (7x7 pad 3, 3x3 pad 1) wide enough for the 16-lane even-element copy, both unfoldings.</summary>
    [Theory]
    [InlineData(3, 20, 70, 7, 2, 3)]
    [InlineData(2, 9, 100, 3, 2, 1)]
    [InlineData(2, 9, 99, 3, 2, 0)]
    public unsafe void StrideTwoUnfoldsMatchTaps(int c, int h, int w, int k, int s, int p)
    {
        var g = (C: c, H: h, W: w, K: k, S: s, P: p, OH: (h + 2 * p - k) / s + 1, OW: (w + 2 * p - k) / s + 1);
        var x = Enumerable.Range(0, c * h * w).Select(i => i + 1f).ToArray();
        int rows = c * k * k, plane = g.OH * g.OW, padded = PackedSgemm.PanelsN(plane) * PackedSgemm.NR;
        foreach (bool gather in new[] { false, true })
        {
            var dst = Enumerable.Repeat(float.NaN, padded * rows).ToArray();
            fixed (float* xp = x) fixed (float* dp = dst)
            {
                if (gather) Im2ColPacked.UnfoldGather(xp, c, h, w, k, s, p, g.OH, g.OW, dp, 0, plane);
                else Im2ColPacked.UnfoldRuns(xp, c, h, w, k, s, p, g.OH, g.OW, dp, 0, plane);
            }
            for (int row = 0; row < rows; row++)
                for (int col = 0; col < padded; col++)
                {
                    float expected = col < plane ? Tap(x, g, row, col, 0f) : 0f;
                    Assert.True(dst[(col / 32 * rows + row) * 32 + col % 32] == expected, $"gather {gather}: row {row} col {col}");
                }
        }
    }

    private static float Tap(float[] x, (int C, int H, int W, int K, int S, int P, int OH, int OW) g, int row, int col, float padValue)
    {
        int ci = row / (g.K * g.K), ki = row / g.K % g.K, kj = row % g.K;
        int iy = col / g.OW * g.S - g.P + ki, ix = col % g.OW * g.S - g.P + kj;
        return iy >= 0 && iy < g.H && ix >= 0 && ix < g.W ? x[(ci * g.H + iy) * g.W + ix] : padValue;
    }
}
