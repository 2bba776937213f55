using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lfm2Vl.Engine.Backends.Cpu;

/// <summary>
/// Copies blocks of A and B into the panel layouts the micro-kernels read, from any pair of strides (so a
/// transposed operand costs nothing extra), zero-padding the last partial panel up to MR rows / NR columns.
/// A block (mc x kc) -> ceil(mc/MR) panels of kc steps x MR floats; B block (kc x nc) -> ceil(nc/NR) panels
/// of kc steps x NR floats. Destinations need <see cref="Slack"/> writable floats past the last panel.
/// </summary>
internal static unsafe class SgemmPacking
{
    /// <summary>Floats the 8x8 transposing copy may write past the end of the packed block.</summary>
    public const int Slack = 8;

    /// <summary>
    /// Packs A[0..mc, 0..kc) (element (i,p) at src[i*rs + p*cs]) into MR-row panels; a last panel of at most
    /// shortMr rows is packed shortMr wide (for the kernel's short variant).
    /// </summary>
    public static void PackA(int mc, int kc, float* src, nint rs, nint cs, float* dst, int mr, int shortMr)
    {
        for (int i0 = 0; i0 < mc; i0 += mr)
        {
            int rows = Math.Min(mr, mc - i0);
            PackPanel(kc, rows, src + i0 * rs, rs, cs, dst + (nint)i0 * kc, rows <= shortMr ? shortMr : mr);
        }
    }

    /// <summary>Packs B[0..kc, 0..nc) (element (p,j) at src[p*rs + j*cs]) into NR-column panels.</summary>
    public static void PackB(int kc, int nc, float* src, nint rs, nint cs, float* dst, int nr)
    {
        for (int j0 = 0; j0 < nc; j0 += nr)
        {
            int cols = Math.Min(nr, nc - j0);
            PackPanel(kc, cols, src + j0 * cs, cs, rs, dst + (nint)j0 * kc, nr);
        }
    }

    /// <summary>
    /// One panel: dst[p*width + t] = src[t*lineStride + p*stepStride] for t &lt; lines, 0 for lines &lt;= t &lt; width.
    /// For A a "line" is a row of the panel; for B it is a column.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackPanel(int kc, int lines, float* src, nint lineStride, nint stepStride, float* dst, int width)
    {
        if (lineStride == 1 && lines == width && width >= 8 && Vector256.IsHardwareAccelerated)
        {
            // Each k step is a contiguous run of `width` floats: vector copies (the last one overlapping).
            for (int p = 0; p < kc; p++)
            {
                float* s = src + p * stepStride, d = dst + (nint)p * width;
                for (int t = 0; t < width - 8; t += 8) Vector256.Store(Vector256.Load(s + t), d + t);
                Vector256.Store(Vector256.Load(s + width - 8), d + width - 8);
            }
            return;
        }
        int p0 = 0;
        if (stepStride == 1 && Avx.IsSupported && kc >= 8)
        {
            // Each line is contiguous along k: 8x8 register transposes turn 8 lines x 8 steps into 8 steps x 8 lines.
            p0 = kc & ~7;
            TransposeLines(p0, lines, src, lineStride, dst, width);
        }
        for (int p = p0; p < kc; p++)
        {
            float* s = src + p * stepStride, d = dst + (nint)p * width;
            for (int t = 0; t < lines; t++) d[t] = s[t * lineStride];
            for (int t = lines; t < width; t++) d[t] = 0f;
        }
    }

    /// <summary>
    /// Steps [0, kc8) (a multiple of 8) of a panel whose lines are contiguous along k. Each group of 8 lines is
    /// stored as 8-float runs; a group reaching past `width` spills into the next step's first lines, so groups
    /// run from the last to the first and steps in increasing order: every spill is overwritten by a later store
    /// (the spill of the very last step lands in the next panel or the <see cref="Slack"/>). Missing lines read as zero.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransposeLines(int kc8, int lines, float* src, nint lineStride, float* dst, int width)
    {
        for (int t0 = (width - 1) / 8 * 8; t0 >= 0; t0 -= 8)
        {
            float* s0 = src + t0 * lineStride;
            int live = Math.Min(8, lines - t0);
            for (int p = 0; p < kc8; p += 8)
            {
                float* s = s0 + p;
                var r0 = Row(s, 0, live, lineStride); var r1 = Row(s, 1, live, lineStride);
                var r2 = Row(s, 2, live, lineStride); var r3 = Row(s, 3, live, lineStride);
                var r4 = Row(s, 4, live, lineStride); var r5 = Row(s, 5, live, lineStride);
                var r6 = Row(s, 6, live, lineStride); var r7 = Row(s, 7, live, lineStride);
                // 8x8 transpose: interleave pairs, then quads, then swap 128-bit halves.
                var u0 = Avx.UnpackLow(r0, r1); var u1 = Avx.UnpackHigh(r0, r1);
                var u2 = Avx.UnpackLow(r2, r3); var u3 = Avx.UnpackHigh(r2, r3);
                var u4 = Avx.UnpackLow(r4, r5); var u5 = Avx.UnpackHigh(r4, r5);
                var u6 = Avx.UnpackLow(r6, r7); var u7 = Avx.UnpackHigh(r6, r7);
                var v0 = Avx.Shuffle(u0, u2, 0x44); var v1 = Avx.Shuffle(u0, u2, 0xEE);
                var v2 = Avx.Shuffle(u1, u3, 0x44); var v3 = Avx.Shuffle(u1, u3, 0xEE);
                var v4 = Avx.Shuffle(u4, u6, 0x44); var v5 = Avx.Shuffle(u4, u6, 0xEE);
                var v6 = Avx.Shuffle(u5, u7, 0x44); var v7 = Avx.Shuffle(u5, u7, 0xEE);
                float* d = dst + (nint)p * width + t0;
                Vector256.Store(Avx.Permute2x128(v0, v4, 0x20), d);
                Vector256.Store(Avx.Permute2x128(v1, v5, 0x20), d + width);
                Vector256.Store(Avx.Permute2x128(v2, v6, 0x20), d + 2 * width);
                Vector256.Store(Avx.Permute2x128(v3, v7, 0x20), d + 3 * width);
                Vector256.Store(Avx.Permute2x128(v0, v4, 0x31), d + 4 * width);
                Vector256.Store(Avx.Permute2x128(v1, v5, 0x31), d + 5 * width);
                Vector256.Store(Avx.Permute2x128(v2, v6, 0x31), d + 6 * width);
                Vector256.Store(Avx.Permute2x128(v3, v7, 0x31), d + 7 * width);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Row(float* s, int t, int live, nint lineStride) =>
        t < live ? Vector256.Load(s + t * lineStride) : Vector256<float>.Zero;
}
