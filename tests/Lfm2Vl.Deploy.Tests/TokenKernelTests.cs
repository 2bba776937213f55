using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Lfm2Vl.Deploy.Kernels;
using Xunit;

namespace Lfm2Vl.Deploy.Tests;

/// <summary>The compiled ViT's kernels against plain float64 references, on shapes around the 16-column vectors.</summary>
public class TokenKernelTests
{
    private static float[] Random(Random rng, int n, double scale = 1) => Enumerable.Range(0, n).Select(_ => (float)((rng.NextDouble() * 2 - 1) * scale)).ToArray();

    [Property(MaxTest = 30)]
    public unsafe bool LayerNormColumnsMatchesReference(PositiveInt dRaw, PositiveInt colsRaw, int seed)
    {
        int d = 1 + dRaw.Get % 70, cols = 1 + colsRaw.Get % 40;
        var rng = new Random(seed);
        float[] x = Random(rng, d * cols, 3), gamma = Random(rng, d), beta = Random(rng, d), y = new float[d * cols];
        fixed (float* xp = x) fixed (float* gp = gamma) fixed (float* bp = beta) fixed (float* yp = y)
            TokenKernels.LayerNormColumns(xp, d, cols, cols, gp, bp, 1e-6f, yp);
        for (int j = 0; j < cols; j++)
        {
            double mean = Enumerable.Range(0, d).Average(r => (double)x[r * cols + j]);
            double var = Enumerable.Range(0, d).Average(r => Math.Pow(x[r * cols + j] - mean, 2));
            for (int r = 0; r < d; r++)
            {
                double expected = (x[r * cols + j] - mean) / Math.Sqrt(var + 1e-6) * gamma[r] + beta[r];
                if (Math.Abs(expected - y[r * cols + j]) > 1e-4 * (1 + Math.Abs(expected))) return false;
            }
        }
        return true;
    }

    [Property(MaxTest = 30)]
    public unsafe bool SoftmaxColumnsMatchesReference(PositiveInt rowsRaw, PositiveInt colsRaw, int seed)
    {
        int rows = 1 + rowsRaw.Get % 60, cols = 1 + colsRaw.Get % 40;
        var rng = new Random(seed);
        float[] s = Random(rng, rows * cols, 20), copy = (float[])s.Clone();
        const float scale = 0.125f;
        fixed (float* sp = s) TokenKernels.SoftmaxColumns(sp, rows, cols, cols, scale);
        for (int j = 0; j < cols; j++)
        {
            double max = Enumerable.Range(0, rows).Max(r => (double)copy[r * cols + j]);
            double sum = Enumerable.Range(0, rows).Sum(r => Math.Exp((copy[r * cols + j] - max) * scale));
            for (int r = 0; r < rows; r++)
                if (Math.Abs(Math.Exp((copy[r * cols + j] - max) * scale) / sum - s[r * cols + j]) > 1e-6) return false;
        }
        return true;
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

    [Property(MaxTest = 30)]
    public unsafe bool StridedAndTransposedPackingsEqualThePlainOne(PositiveInt mRaw, PositiveInt kRaw, int seed)
    {
        int m = 1 + mRaw.Get % 30, k = 1 + kRaw.Get % 30, lda = k + 3;
        var rng = new Random(seed);
        var a = Random(rng, m * lda);
        var dense = Enumerable.Range(0, m * k).Select(i => a[i / k * lda + i % k]).ToArray();
        var expected = PackedSgemm.PackA(dense, m, k);
        var at = new float[k * (m + 2)];
        for (int r = 0; r < m; r++) for (int p = 0; p < k; p++) at[p * (m + 2) + r] = dense[r * k + p];
        var strided = Enumerable.Repeat(float.NaN, expected.Length).ToArray();
        var transposed = Enumerable.Repeat(float.NaN, expected.Length).ToArray();
        fixed (float* ap = a) fixed (float* atp = at) fixed (float* sp = strided) fixed (float* tp = transposed)
        {
            PackedSgemm.PackA(ap, m, k, lda, sp);
            PackedSgemm.PackATransposed(atp, m, k, m + 2, tp);
        }
        return expected.SequenceEqual(strided) && expected.SequenceEqual(transposed);
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
