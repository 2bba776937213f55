using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Lfm2Vl.Engine.Backends.Cpu;

/// <summary>
/// AVX-512 8 x 32 micro-kernel (16 accumulators) for the last row panel of A when it has at most 8 rows: with
/// channel counts like 64 = 4 x 14 + 8 the 14-row kernel would pad away 9% of all the work.
/// </summary>
internal static class SgemmKernelAvx512Rows8
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Tile(int kc, float* a, float* b, nint ldb, float* c, nint ldc, bool accumulate)
    {
        Vector512<float> c0a = default; Vector512<float> c0b = default;
        Vector512<float> c1a = default; Vector512<float> c1b = default;
        Vector512<float> c2a = default; Vector512<float> c2b = default;
        Vector512<float> c3a = default; Vector512<float> c3b = default;
        Vector512<float> c4a = default; Vector512<float> c4b = default;
        Vector512<float> c5a = default; Vector512<float> c5b = default;
        Vector512<float> c6a = default; Vector512<float> c6b = default;
        Vector512<float> c7a = default; Vector512<float> c7b = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var a0 = Vector512.Create(a[0]); c0a = Vector512.FusedMultiplyAdd(a0, b0, c0a); c0b = Vector512.FusedMultiplyAdd(a0, b1, c0b);
            var a1 = Vector512.Create(a[1]); c1a = Vector512.FusedMultiplyAdd(a1, b0, c1a); c1b = Vector512.FusedMultiplyAdd(a1, b1, c1b);
            var a2 = Vector512.Create(a[2]); c2a = Vector512.FusedMultiplyAdd(a2, b0, c2a); c2b = Vector512.FusedMultiplyAdd(a2, b1, c2b);
            var a3 = Vector512.Create(a[3]); c3a = Vector512.FusedMultiplyAdd(a3, b0, c3a); c3b = Vector512.FusedMultiplyAdd(a3, b1, c3b);
            var a4 = Vector512.Create(a[4]); c4a = Vector512.FusedMultiplyAdd(a4, b0, c4a); c4b = Vector512.FusedMultiplyAdd(a4, b1, c4b);
            var a5 = Vector512.Create(a[5]); c5a = Vector512.FusedMultiplyAdd(a5, b0, c5a); c5b = Vector512.FusedMultiplyAdd(a5, b1, c5b);
            var a6 = Vector512.Create(a[6]); c6a = Vector512.FusedMultiplyAdd(a6, b0, c6a); c6b = Vector512.FusedMultiplyAdd(a6, b1, c6b);
            var a7 = Vector512.Create(a[7]); c7a = Vector512.FusedMultiplyAdd(a7, b0, c7a); c7b = Vector512.FusedMultiplyAdd(a7, b1, c7b);
            a += 8;
            b += ldb;
        }
        Store(c, c0a, c0b, accumulate); c += ldc;
        Store(c, c1a, c1b, accumulate); c += ldc;
        Store(c, c2a, c2b, accumulate); c += ldc;
        Store(c, c3a, c3b, accumulate); c += ldc;
        Store(c, c4a, c4b, accumulate); c += ldc;
        Store(c, c5a, c5b, accumulate); c += ldc;
        Store(c, c6a, c6b, accumulate); c += ldc;
        Store(c, c7a, c7b, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(float* c, Vector512<float> lo, Vector512<float> hi, bool accumulate)
    {
        if (accumulate)
        {
            lo += Vector512.Load(c);
            hi += Vector512.Load(c + 16);
        }
        lo.Store(c);
        hi.Store(c + 16);
    }
}
