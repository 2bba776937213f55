using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Lfm2Vl.Deploy.Kernels;

namespace Lfm2Vl.Deploy.Tests;

public class Int8GemmTests
{
    /// <summary>Packed int8 GEMM equals the plain integer product; the VNNI path equals the scalar one bit for bit.</summary>
    [Property(MaxTest = 40)]
    public unsafe bool VectorAndScalarPathsAreExact(PositiveInt mRaw, PositiveInt nRaw, PositiveInt kRaw, bool parallel, int seed)
    {
        int m = 1 + mRaw.Get % 30, n = 1 + nRaw.Get % 70, k = 1 + kRaw.Get % 700;
        var rng = new Random(seed);
        var a = new sbyte[m * k];
        var b = new byte[k * n];
        for (int i = 0; i < a.Length; i++) a[i] = (sbyte)rng.Next(-127, 128);
        for (int i = 0; i < b.Length; i++) b[i] = (byte)rng.Next(0, 256);
        // Extremes too: the largest products must not saturate.
        a[0] = -127; b[0] = 255;
        var packedA = Int8Gemm.PackA(a, m, k);
        int kq = Int8Gemm.Quads(k);
        var packedB = new byte[Int8Gemm.PackedBLength(k, n)];
        for (int p = 0; p < k; p++)
            for (int j = 0; j < n; j++) packedB[Int8Gemm.PackedBIndex(kq, p, j)] = b[p * n + j];

        var scalar = new int[m * n];
        var vector = new int[m * n];
        fixed (sbyte* pa = packedA) fixed (byte* pb = packedB) fixed (int* cs = scalar) fixed (int* cv = vector)
        {
            Int8Gemm.Run(m, n, k, pa, pb, cs, n, vnni: false, parallel);
            if (Int8Gemm.VnniAvailable) Int8Gemm.Run(m, n, k, pa, pb, cv, n, vnni: true, parallel);
        }
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                long s = 0;
                for (int p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
                if (scalar[i * n + j] != s) return false;
                if (Int8Gemm.VnniAvailable && vector[i * n + j] != s) return false;
            }
        return true;
    }
}
