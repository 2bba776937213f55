using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Lfm2Vl.Engine.Backends.Cpu;

/// <summary>
/// AVX-512 micro-kernel, 14 x 32: 28 accumulators + 2 B vectors + 1 broadcast use 31 of the 32 zmm registers,
/// so each k step does 28 FMAs for 2 vector loads and 14 broadcasts (the highest FMA-to-load ratio that fits).
/// Written out by hand (no arrays) so the JIT keeps every accumulator in a register.
/// </summary>
internal readonly struct SgemmKernelAvx512 : ISgemmKernel
{
    public static int MR => 14;
    public static int NR => 32;
    public static int ShortMR => 8;
    public static bool IsSupported => Vector512.IsHardwareAccelerated;

    public static unsafe void TileShort(int kc, float* a, float* b, nint ldb, float* c, nint ldc, bool accumulate) =>
        SgemmKernelAvx512Rows8.Tile(kc, a, b, ldb, c, ldc, accumulate);

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
        Vector512<float> c8a = default; Vector512<float> c8b = default;
        Vector512<float> c9a = default; Vector512<float> c9b = default;
        Vector512<float> c10a = default; Vector512<float> c10b = default;
        Vector512<float> c11a = default; Vector512<float> c11b = default;
        Vector512<float> c12a = default; Vector512<float> c12b = default;
        Vector512<float> c13a = default; Vector512<float> c13b = default;
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
            var a8 = Vector512.Create(a[8]); c8a = Vector512.FusedMultiplyAdd(a8, b0, c8a); c8b = Vector512.FusedMultiplyAdd(a8, b1, c8b);
            var a9 = Vector512.Create(a[9]); c9a = Vector512.FusedMultiplyAdd(a9, b0, c9a); c9b = Vector512.FusedMultiplyAdd(a9, b1, c9b);
            var a10 = Vector512.Create(a[10]); c10a = Vector512.FusedMultiplyAdd(a10, b0, c10a); c10b = Vector512.FusedMultiplyAdd(a10, b1, c10b);
            var a11 = Vector512.Create(a[11]); c11a = Vector512.FusedMultiplyAdd(a11, b0, c11a); c11b = Vector512.FusedMultiplyAdd(a11, b1, c11b);
            var a12 = Vector512.Create(a[12]); c12a = Vector512.FusedMultiplyAdd(a12, b0, c12a); c12b = Vector512.FusedMultiplyAdd(a12, b1, c12b);
            var a13 = Vector512.Create(a[13]); c13a = Vector512.FusedMultiplyAdd(a13, b0, c13a); c13b = Vector512.FusedMultiplyAdd(a13, b1, c13b);
            a += 14;
            b += ldb;
        }
        Store(c, c0a, c0b, accumulate); c += ldc;
        Store(c, c1a, c1b, accumulate); c += ldc;
        Store(c, c2a, c2b, accumulate); c += ldc;
        Store(c, c3a, c3b, accumulate); c += ldc;
        Store(c, c4a, c4b, accumulate); c += ldc;
        Store(c, c5a, c5b, accumulate); c += ldc;
        Store(c, c6a, c6b, accumulate); c += ldc;
        Store(c, c7a, c7b, accumulate); c += ldc;
        Store(c, c8a, c8b, accumulate); c += ldc;
        Store(c, c9a, c9b, accumulate); c += ldc;
        Store(c, c10a, c10b, accumulate); c += ldc;
        Store(c, c11a, c11b, accumulate); c += ldc;
        Store(c, c12a, c12b, accumulate); c += ldc;
        Store(c, c13a, c13b, accumulate);
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
