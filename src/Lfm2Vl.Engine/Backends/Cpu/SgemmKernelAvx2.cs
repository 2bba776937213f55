using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lfm2Vl.Engine.Backends.Cpu;

/// <summary>
/// AVX2 + FMA micro-kernel, 6 x 16: 12 accumulators + 2 B vectors + 1 broadcast fill 15 of the 16 ymm registers.
/// </summary>
internal readonly struct SgemmKernelAvx2 : ISgemmKernel
{
    public static int MR => 6;
    public static int NR => 16;
    public static int ShortMR => 0;
    public static bool IsSupported => Vector256.IsHardwareAccelerated && Fma.IsSupported;

    public static unsafe void TileShort(int kc, float* a, float* b, nint ldb, float* c, nint ldc, bool accumulate) =>
        throw new NotSupportedException();

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Tile(int kc, float* a, float* b, nint ldb, float* c, nint ldc, bool accumulate)
    {
        Vector256<float> c0a = default, c0b = default, c1a = default, c1b = default, c2a = default, c2b = default;
        Vector256<float> c3a = default, c3b = default, c4a = default, c4b = default, c5a = default, c5b = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var a0 = Vector256.Create(a[0]); c0a = Vector256.FusedMultiplyAdd(a0, b0, c0a); c0b = Vector256.FusedMultiplyAdd(a0, b1, c0b);
            var a1 = Vector256.Create(a[1]); c1a = Vector256.FusedMultiplyAdd(a1, b0, c1a); c1b = Vector256.FusedMultiplyAdd(a1, b1, c1b);
            var a2 = Vector256.Create(a[2]); c2a = Vector256.FusedMultiplyAdd(a2, b0, c2a); c2b = Vector256.FusedMultiplyAdd(a2, b1, c2b);
            var a3 = Vector256.Create(a[3]); c3a = Vector256.FusedMultiplyAdd(a3, b0, c3a); c3b = Vector256.FusedMultiplyAdd(a3, b1, c3b);
            var a4 = Vector256.Create(a[4]); c4a = Vector256.FusedMultiplyAdd(a4, b0, c4a); c4b = Vector256.FusedMultiplyAdd(a4, b1, c4b);
            var a5 = Vector256.Create(a[5]); c5a = Vector256.FusedMultiplyAdd(a5, b0, c5a); c5b = Vector256.FusedMultiplyAdd(a5, b1, c5b);
            a += 6;
            b += ldb;
        }
        Store(c, c0a, c0b, accumulate); c += ldc;
        Store(c, c1a, c1b, accumulate); c += ldc;
        Store(c, c2a, c2b, accumulate); c += ldc;
        Store(c, c3a, c3b, accumulate); c += ldc;
        Store(c, c4a, c4b, accumulate); c += ldc;
        Store(c, c5a, c5b, accumulate);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(float* c, Vector256<float> lo, Vector256<float> hi, bool accumulate)
    {
        if (accumulate)
        {
            lo += Vector256.Load(c);
            hi += Vector256.Load(c + 8);
        }
        lo.Store(c);
        hi.Store(c + 8);
    }
}
