using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Lfm2Vl.Deploy.Kernels;
using Xunit;

namespace Lfm2Vl.Deploy.Tests;

/// <summary>The compiled ViT's row kernels against plain float64 references, on shapes around the 16-float vectors.</summary>
public class TokenKernelTests
{
    private static float[] Random(Random rng, int n, double scale = 1) => Enumerable.Range(0, n).Select(_ => (float)((rng.NextDouble() * 2 - 1) * scale)).ToArray();

    [Property(MaxTest = 30)]
    public unsafe bool LayerNormRowsMatchesReference(PositiveInt dRaw, PositiveInt rowsRaw, int seed)
    {
        int d = 1 + dRaw.Get % 70, rows = 1 + rowsRaw.Get % 12, ld = d + 3;
        var rng = new Random(seed);
        float[] x = Random(rng, rows * ld, 3), gamma = Random(rng, d), beta = Random(rng, d), y = new float[rows * ld];
        fixed (float* xp = x) fixed (float* gp = gamma) fixed (float* bp = beta) fixed (float* yp = y)
            TokenKernels.LayerNormRows(xp, d, rows, ld, gp, bp, 1e-6f, yp);
        for (int r = 0; r < rows; r++)
        {
            double mean = Enumerable.Range(0, d).Average(j => (double)x[r * ld + j]);
            double var = Enumerable.Range(0, d).Average(j => Math.Pow(x[r * ld + j] - mean, 2));
            for (int j = 0; j < d; j++)
            {
                double expected = (x[r * ld + j] - mean) / Math.Sqrt(var + 1e-6) * gamma[j] + beta[j];
                if (Math.Abs(expected - y[r * ld + j]) > 1e-4 * (1 + Math.Abs(expected))) return false;
            }
            for (int j = d; j < ld; j++) if (y[r * ld + j] != 0) return false; // the stride padding is not written
        }
        return true;
    }

    [Property(MaxTest = 30)]
    public unsafe bool SoftmaxRowsMatchesReference(PositiveInt rowsRaw, PositiveInt colsRaw, bool padToPanels, int seed)
    {
        // A stride padded to 32 columns (as in the ViT) takes the masked-vector tail, cols + 5 mostly the scalar one.
        int rows = 1 + rowsRaw.Get % 10, cols = 1 + colsRaw.Get % 60, ld = padToPanels ? (cols + 31) / 32 * 32 : cols + 5;
        var rng = new Random(seed);
        float[] s = Random(rng, rows * ld, 20), copy = (float[])s.Clone();
        fixed (float* sp = s) TokenKernels.SoftmaxRows(sp, rows, cols, ld);
        for (int r = 0; r < rows; r++)
        {
            double max = Enumerable.Range(0, cols).Max(j => (double)copy[r * ld + j]);
            double sum = Enumerable.Range(0, cols).Sum(j => Math.Exp(copy[r * ld + j] - max));
            for (int j = 0; j < cols; j++)
                if (Math.Abs(Math.Exp(copy[r * ld + j] - max) / sum - s[r * ld + j]) > 1e-6) return false;
            for (int j = cols; j < ld; j++)
                if (s[r * ld + j] != copy[r * ld + j] && s[r * ld + j] != 0) return false; // padding: untouched, or zeroed by the masked tail
        }
        return true;
    }

    [Fact]
    public void ExpMatchesMathExpOnTheSoftmaxRange()
    {
        for (int i = 0; i <= 100000; i++)
        {
            float x = -i / 1000f; // 0 .. -100, past the clamp at -87.3
            float got = System.Runtime.Intrinsics.Vector512.GetElement(TokenKernels.Exp(System.Runtime.Intrinsics.Vector512.Create(x)), 3);
            double expected = Math.Exp(x);
            Assert.True(Math.Abs(got - expected) <= 4e-7 * expected + 1e-37, $"exp({x}) = {got}, expected {expected}");
        }
    }

    [Fact]
    public unsafe void GeluMatchesExactErfGelu()
    {
        var x = Enumerable.Range(0, 4001).Select(i => (i - 2000) / 200f).ToArray(); // -10 .. 10, vector body and tail
        var y = (float[])x.Clone();
        fixed (float* p = y) TokenKernels.GeluInPlace(p, y.Length);
        for (int i = 0; i < x.Length; i++)
        {
            float expected = DenseKernels.Gelu(x[i]);
            Assert.True(Math.Abs(expected - y[i]) <= 1e-6 * Math.Max(1, Math.Abs(x[i])), $"GELU({x[i]}) = {y[i]}, expected {expected}");
        }
    }

    [Fact]
    public unsafe void AccumulatingGemmAddsToTheOutput()
    {
        var rng = new Random(5);
        int m = 13, n = 45, k = 300;
        float[] a = Random(rng, m * k), b = Random(rng, k * n), bias = Random(rng, m), c = Random(rng, m * n), before = (float[])c.Clone();
        var pa = PackedSgemm.PackA(a, m, k);
        var pbias = PackedSgemm.PadBias(bias, m);
        var pb = new float[PackedSgemm.PanelsN(n) * PackedSgemm.NR * k];
        fixed (float* bp = b) fixed (float* pbp = pb) fixed (float* pap = pa) fixed (float* cp = c) fixed (float* biasp = pbias)
        {
            PackedSgemm.PackB(bp, k, n, n, pbp);
            PackedSgemm.Run(m, n, k, pap, pbp, cp, n, biasp, false, false, accumulate: true);
        }
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = before[i * n + j] + bias[i];
                for (int p = 0; p < k; p++) s += (double)a[i * k + p] * b[p * n + j];
                Assert.True(Math.Abs(s - c[i * n + j]) < 1e-3, $"C[{i},{j}] = {c[i * n + j]}, expected {s}");
            }
    }
}
