using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Lfm2Vl.Deploy.Kernels;

namespace Lfm2Vl.Deploy.Tests;

public class PackedSgemmTests
{
    /// <summary>Random shapes around the tile edges (M % 8, N % 32) and the K blocks (256, the last shorter), bias and ReLU on or off.</summary>
    [Property(MaxTest = 40)]
    public unsafe bool MatchesFloat64Reference(PositiveInt mRaw, PositiveInt nRaw, PositiveInt kRaw, bool relu, bool parallel, int seed)
    {
        int m = 1 + mRaw.Get % 40, n = 1 + nRaw.Get % 300, k = 1 + kRaw.Get % 600; // up to 10 column panels: both loop orders
        var rng = new Random(seed);
        float[] a = Enumerable.Range(0, m * k).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        float[] b = Enumerable.Range(0, k * n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        float[] bias = Enumerable.Range(0, m).Select(_ => (float)rng.NextDouble()).ToArray();
        var pa = PackedSgemm.PackA(a, m, k);
        var pbias = PackedSgemm.PadBias(bias, m);
        var pb = new float[PackedSgemm.PanelsN(n) * PackedSgemm.NR * k];
        var c = new float[m * n];
        fixed (float* bp = b) fixed (float* pbp = pb) fixed (float* pap = pa) fixed (float* cp = c) fixed (float* biasp = pbias)
        {
            PackedSgemm.PackB(bp, k, n, n, pbp);
            PackedSgemm.Run(m, n, k, pap, pbp, cp, n, biasp, relu, parallel);
        }
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = bias[i];
                for (int p = 0; p < k; p++) s += (double)a[i * k + p] * b[p * n + j];
                if (relu) s = Math.Max(s, 0);
                if (Math.Abs(s - c[i * n + j]) > 1e-4 * Math.Sqrt(k)) return false;
            }
        return true;
    }
}
