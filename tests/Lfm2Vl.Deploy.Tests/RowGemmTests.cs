using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Lfm2Vl.Deploy.Kernels;
using Xunit;

namespace Lfm2Vl.Deploy.Tests;

/// <summary>The token-major GEMM against a float64 reference: ragged rows (M % 8), columns (N % 32) and K blocks (256).</summary>
public class RowGemmTests
{
    private static float[] Random(Random rng, int n) => Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();

    /// <summary>C = epilogue(A W^T + bias) with W packed (a linear layer), or C += A W^T + bias; A and C with padded strides.</summary>
    [Property(MaxTest = 40)]
    public unsafe bool PackedWeightsMatchReference(PositiveInt mRaw, PositiveInt nRaw, PositiveInt kRaw, bool gelu, bool accumulate, bool bias, int seed)
    {
        int m = 1 + mRaw.Get % 30, n = 1 + nRaw.Get % 100, k = 1 + kRaw.Get % 600, lda = k + 3, ldc = n + 5;
        if (accumulate) gelu = false;
        var rng = new Random(seed);
        float[] a = Random(rng, m * lda), w = Random(rng, n * k), b = Random(rng, n), c = Random(rng, m * ldc), before = (float[])c.Clone();
        var pw = RowGemm.PackWeights(w, n, k);
        fixed (float* ap = a) fixed (float* wp = pw) fixed (float* bp = b) fixed (float* cp = c)
            RowGemm.Run(m, n, k, ap, lda, wp, RowGemm.NR, (long)k * RowGemm.NR, cp, ldc, bias ? bp : null,
                gelu ? RowGemm.Epilogue.Gelu : RowGemm.Epilogue.None, accumulate);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double s = (accumulate ? before[i * ldc + j] : 0) + (bias ? b[j] : 0);
                for (int p = 0; p < k; p++) s += (double)a[i * lda + p] * w[j * k + p];
                if (gelu) s = DenseKernels.Gelu((float)s);
                if (Math.Abs(s - c[i * ldc + j]) > 1e-4 * Math.Sqrt(k)) return false;
            }
            for (int j = n; j < ldc; j++) if (c[i * ldc + j] != before[i * ldc + j]) return false; // nothing past n is written
        }
        return true;
    }

    /// <summary>B read in place from a row-major matrix (attention's V), at the shapes the ViT runs (N = 1, 49, 197 rows).</summary>
    [Theory]
    [InlineData(1, 64, 197)]
    [InlineData(49, 32, 49)]
    [InlineData(197, 64, 197)]
    [InlineData(13, 96, 300)]
    public unsafe void InPlaceRowMajorBMatchesReference(int m, int n, int k)
    {
        var rng = new Random(m + n + k);
        int ldb = n + 40;
        float[] a = Random(rng, m * k), b = Random(rng, k * ldb), c = new float[m * n];
        fixed (float* ap = a) fixed (float* bp = b) fixed (float* cp = c)
            RowGemm.Run(m, n, k, ap, k, bp, ldb, RowGemm.NR, cp, n, null, RowGemm.Epilogue.None, false);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int p = 0; p < k; p++) s += (double)a[i * k + p] * b[p * ldb + j];
                Assert.True(Math.Abs(s - c[i * n + j]) < 1e-4 * Math.Sqrt(k), $"C[{i},{j}] = {c[i * n + j]}, expected {s}");
            }
    }

    /// <summary>Packing in two column ranges split anywhere (two workers' keys) gives the whole packing, zero-padded.</summary>
    [Property(MaxTest = 30)]
    public unsafe bool PackTransposedZeroPadsTheLastPanel(PositiveInt nRaw, PositiveInt kRaw, NonNegativeInt splitRaw, int seed)
    {
        int n = 1 + nRaw.Get % 80, k = 1 + kRaw.Get % 20, ld = k + 2, split = splitRaw.Get % (n + 1);
        var bt = Random(new Random(seed), n * ld);
        var dst = Enumerable.Repeat(float.NaN, RowGemm.PanelsN(n) * RowGemm.NR * k).ToArray();
        fixed (float* s = bt) fixed (float* d = dst)
        {
            RowGemm.PackTransposed(s, n, k, ld, d, 0, split);
            RowGemm.PackTransposed(s, n, k, ld, d, split, n);
        }
        for (int j = 0; j < RowGemm.PanelsN(n) * RowGemm.NR; j++)
            for (int p = 0; p < k; p++)
                if (dst[j / RowGemm.NR * k * RowGemm.NR + p * RowGemm.NR + j % RowGemm.NR] != (j < n ? bt[j * ld + p] : 0f)) return false;
        return true;
    }
}
