using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lfm2Vl.Deploy.Kernels;

/// <summary>The 8 x 8 float transpose in registers (interleave pairs, then quads, then swap 128-bit halves), shared by
/// the ViT's K^T packing and the int8 convolution's NCHW epilogue. Callers check <see cref="Avx.IsSupported"/>.</summary>
internal static unsafe class Transpose8x8
{
    /// <summary>dst[t * ldd + i] = src[i * lds + t] for an 8x8 block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Copy(float* src, int lds, float* dst, int ldd) =>
        Store(Vector256.Load(src), Vector256.Load(src + lds), Vector256.Load(src + 2L * lds), Vector256.Load(src + 3L * lds),
            Vector256.Load(src + 4L * lds), Vector256.Load(src + 5L * lds), Vector256.Load(src + 6L * lds), Vector256.Load(src + 7L * lds),
            dst, ldd);

    /// <summary>Stores the transpose of the 8 x 8 matrix with rows r0..r7 at dst (row stride ld).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3,
        Vector256<float> r4, Vector256<float> r5, Vector256<float> r6, Vector256<float> r7, float* dst, int ld)
    {
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44); var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44); var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44); var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44); var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(u0, u4, 0x20).Store(dst);
        Avx.Permute2x128(u1, u5, 0x20).Store(dst + ld);
        Avx.Permute2x128(u2, u6, 0x20).Store(dst + 2L * ld);
        Avx.Permute2x128(u3, u7, 0x20).Store(dst + 3L * ld);
        Avx.Permute2x128(u0, u4, 0x31).Store(dst + 4L * ld);
        Avx.Permute2x128(u1, u5, 0x31).Store(dst + 5L * ld);
        Avx.Permute2x128(u2, u6, 0x31).Store(dst + 6L * ld);
        Avx.Permute2x128(u3, u7, 0x31).Store(dst + 7L * ld);
    }
}
