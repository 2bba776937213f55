using System.Buffers;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lfm2Vl.Deploy.Kernels;

/// <summary>
/// Unfolds one image [C, H, W] straight into the packed B layout of <see cref="PackedSgemm"/>
/// ([panelsN][K][NR] with K = C*k*k rows and N = OH*OW columns), so no separate column matrix is written
/// and packed. Out-of-image taps and the padding columns of the last panel are zero.
/// </summary>
internal static unsafe class Im2ColPacked
{
    private const int NR = PackedSgemm.NR;

    public static void Unfold(float* x, int c, int h, int w, int kernel, int stride, int pad, int oh, int ow, float* dst) =>
        Unfold(x, c, h, w, kernel, stride, pad, oh, ow, dst, 0, oh * ow);

    /// <summary>
    /// Unfolds only output columns [colStart, colStart + colCount) (a block of the GEMM's N), packed from panel 0.
    /// Narrow outputs (under 32 columns a row) go through <see cref="UnfoldGather"/>, wide ones are copied run by run.
    /// </summary>
    public static void Unfold(float* x, int c, int h, int w, int kernel, int stride, int pad, int oh, int ow, float* dst, int colStart, int colCount) =>
        Unfold(x, c, h, w, kernel, stride, pad, oh, ow, dst, colStart, colCount, 0, c);

    /// <summary>Only the rows of channels [channelStart, channelEnd) of that unfolding (a share of the work for one core).</summary>
    public static void Unfold(float* x, int c, int h, int w, int kernel, int stride, int pad, int oh, int ow, float* dst, int colStart, int colCount,
        int channelStart, int channelEnd)
    {
        if (ow < NR && Avx2.IsSupported) UnfoldGather(x, c, h, w, kernel, stride, pad, oh, ow, dst, colStart, colCount, channelStart, channelEnd);
        else UnfoldRuns(x, c, h, w, kernel, stride, pad, oh, ow, dst, colStart, colCount, channelStart, channelEnd);
    }

    /// <summary>The unfolding as runs: zeros, a copy of the valid input span, zeros, per output row and panel.</summary>
    public static void UnfoldRuns(float* x, int c, int h, int w, int kernel, int stride, int pad, int oh, int ow, float* dst, int colStart, int colCount,
        int channelStart = 0, int channelEnd = -1)
    {
        int kRows = c * kernel * kernel, plane = colCount, colEnd = colStart + colCount;
        int padded = PackedSgemm.PanelsN(plane) * NR;
        long panelStride = (long)kRows * NR;
        for (int ci = channelStart; ci < (channelEnd < 0 ? c : channelEnd); ci++)
            for (int ki = 0; ki < kernel; ki++)
                for (int kj = 0; kj < kernel; kj++)
                {
                    int row = (ci * kernel + ki) * kernel + kj;
                    float* rowBase = dst + (long)row * NR;
                    float* src = x + (long)ci * h * w;
                    var (lo, hi) = ValidColumns(ow, w, stride, pad, kj);
                    for (int oy = colStart / ow; oy <= (colEnd - 1) / ow; oy++)
                    {
                        int iy = oy * stride - pad + ki;
                        bool rowInside = (uint)iy < (uint)h;
                        float* srcRow = src + (long)iy * w - pad + kj;   // srcRow[ox * stride] is tap (iy, ox)
                        int p0 = oy * ow - colStart;                     // packed column of ox = 0
                        int oxEnd = Math.Min(ow, colEnd - oy * ow);
                        for (int ox = Math.Max(0, colStart - oy * ow); ox < oxEnd;)
                        {
                            int p = p0 + ox, lane = p & (NR - 1);
                            int end = Math.Min(oxEnd, ox + NR - lane);
                            float* d = rowBase + (p >> 5) * panelStride + lane - ox;    // d[ox'] is column ox'
                            int a = rowInside ? Math.Clamp(lo, ox, end) : end, b = rowInside ? Math.Clamp(hi, a, end) : end;
                            for (int t = ox; t < a; t++) d[t] = 0f;
                            if (stride == 1) new ReadOnlySpan<float>(srcRow + a, b - a).CopyTo(new Span<float>(d + a, b - a));
                            else if (stride == 2) CopyEven(srcRow, d, a, b, w + pad - kj);
                            else for (int t = a; t < b; t++) d[t] = srcRow[(long)t * stride];
                            for (int t = b; t < end; t++) d[t] = 0f;
                            ox = end;
                        }
                    }
                    for (int p = plane; p < padded; p++) rowBase[(p >> 5) * panelStride + (p & (NR - 1))] = 0f;
                }
    }

    private static readonly Vector512<int> EvenLanes = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);

    /// <summary>
    /// d[t] = src[2 t] for t in [a, b), 16 at a time by picking the even lanes of two vectors (a 7x7 stride-2 stem
    /// spent most of its time in the scalar copy); src[i] may be read for i &lt; <paramref name="readable"/>.
    /// </summary>
    private static void CopyEven(float* src, float* d, int a, int b, int readable)
    {
        int t = a;
        if (Avx512F.IsSupported)
            for (; t + 16 <= b && 2 * t + 32 <= readable; t += 16)
                Avx512F.PermuteVar16x32x2(Vector512.Load(src + 2 * t), EvenLanes, Vector512.Load(src + 2 * t + 16)).Store(d + t);
        for (; t < b; t++) d[t] = src[2L * t];
    }

    /// <summary>
    /// The same unfolding by gathers: the source offset of every (tap, packed column) is tabulated once per call
    /// (-1 for padding), then each packed row is 8-float masked gathers from its channel. For small images
    /// (14x14, 7x7) the run-by-run copy spends its time on runs of a few floats: 0.3 ms for 512 channels at 7x7.
    /// </summary>
    public static void UnfoldGather(float* x, int c, int h, int w, int kernel, int stride, int pad, int oh, int ow, float* dst, int colStart, int colCount,
        int channelStart = 0, int channelEnd = -1)
    {
        int kk = kernel * kernel, padded = PackedSgemm.PanelsN(colCount) * NR, panels = padded / NR;
        long panelStride = (long)c * kk * NR;
        var table = ArrayPool<int>.Shared.Rent(kk * padded);
        try
        {
            for (int ki = 0; ki < kernel; ki++)
                for (int kj = 0; kj < kernel; kj++)
                {
                    int baseIdx = (ki * kernel + kj) * padded;
                    for (int p = 0; p < padded; p++)
                    {
                        int col = colStart + p, oy = col / ow, ox = col % ow;
                        int iy = oy * stride - pad + ki, ix = ox * stride - pad + kj;
                        table[baseIdx + p] = p < colCount && (uint)iy < (uint)h && (uint)ix < (uint)w ? iy * w + ix : -1;
                    }
                }
            fixed (int* idx = table)
            {
                var minusOne = Vector256.Create(-1);
                for (int ci = channelStart; ci < (channelEnd < 0 ? c : channelEnd); ci++)
                {
                    float* src = x + (long)ci * h * w;
                    for (int tap = 0; tap < kk; tap++)
                    {
                        int row = ci * kk + tap;
                        int* ti = idx + tap * padded;
                        for (int jp = 0; jp < panels; jp++)
                        {
                            float* d = dst + jp * panelStride + (long)row * NR;
                            for (int t = 0; t < NR; t += 8)
                            {
                                var index = Vector256.Load(ti + jp * NR + t);
                                var mask = Vector256.GreaterThan(index, minusOne).AsSingle();
                                Vector256.Store(Avx2.GatherMaskVector256(Vector256<float>.Zero, src, index, mask, 4), d + t);
                            }
                        }
                    }
                }
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(table);
        }
    }

    /// <summary>The output columns [lo, hi) whose tap ox * stride - pad + kj falls inside [0, w).</summary>
    public static (int Lo, int Hi) ValidColumns(int ow, int w, int stride, int pad, int kj)
    {
        int lo = Math.Max(0, (pad - kj + stride - 1) / stride);
        int hi = Math.Min(ow, (w - 1 + pad - kj) / stride + 1);
        if (w - 1 + pad - kj < 0) hi = 0;
        return (Math.Min(lo, ow), Math.Max(hi, Math.Min(lo, ow)));
    }
}
