using System.Numerics;

namespace Lfm2Vl.Engine.Backends.Cpu;

/// <summary>
/// Unfolds one image's channels into a [C*KH*KW, OH*OW] matrix (and folds it back, accumulating), so that a
/// convolution becomes one GEMM. Out-of-image taps read as zero.
/// </summary>
internal static class Im2Col
{
    public static void Unfold<T>(T[] x, int xOff, int c, int h, int w, int kh, int kw, in Conv2dParams p, int oh, int ow, T[] col)
        where T : unmanaged, INumberBase<T>
    {
        int plane = oh * ow;
        for (int ci = 0; ci < c; ci++)
            for (int ki = 0; ki < kh; ki++)
                for (int kj = 0; kj < kw; kj++)
                {
                    int row = ((ci * kh + ki) * kw + kj) * plane;
                    int src = xOff + ci * h * w;
                    for (int y = 0; y < oh; y++)
                    {
                        int iy = y * p.StrideH - p.PadH + ki * p.DilationH;
                        var dst = col.AsSpan(row + y * ow, ow);
                        if ((uint)iy >= (uint)h) { dst.Clear(); continue; }
                        int srcRow = src + iy * w;
                        int x0 = kj * p.DilationW - p.PadW;
                        if (p.StrideW == 1)
                        {
                            // Valid output columns are those with 0 <= ox + x0 < w: one contiguous copy.
                            int lo = Math.Clamp(-x0, 0, ow), hi = Math.Clamp(w - x0, 0, ow);
                            dst[..lo].Clear();
                            if (hi > lo) x.AsSpan(srcRow + lo + x0, hi - lo).CopyTo(dst[lo..hi]);
                            dst[Math.Max(hi, lo)..].Clear();
                        }
                        else
                        {
                            for (int ox = 0; ox < ow; ox++)
                            {
                                int ix = ox * p.StrideW + x0;
                                dst[ox] = (uint)ix < (uint)w ? x[srcRow + ix] : T.Zero;
                            }
                        }
                    }
                }
    }

    /// <summary>dx[image] += fold(col): the adjoint of <see cref="Unfold{T}"/>.</summary>
    public static void FoldAdd<T>(T[] col, int c, int h, int w, int kh, int kw, in Conv2dParams p, int oh, int ow, T[] dx, int dxOff)
        where T : unmanaged, INumberBase<T>
    {
        int plane = oh * ow;
        for (int ci = 0; ci < c; ci++)
            for (int ki = 0; ki < kh; ki++)
                for (int kj = 0; kj < kw; kj++)
                {
                    int row = ((ci * kh + ki) * kw + kj) * plane;
                    int dst = dxOff + ci * h * w;
                    for (int y = 0; y < oh; y++)
                    {
                        int iy = y * p.StrideH - p.PadH + ki * p.DilationH;
                        if ((uint)iy >= (uint)h) continue;
                        int dstRow = dst + iy * w;
                        int x0 = kj * p.DilationW - p.PadW;
                        int src = row + y * ow;
                        for (int ox = 0; ox < ow; ox++)
                        {
                            int ix = ox * p.StrideW + x0;
                            if ((uint)ix < (uint)w) dx[dstRow + ix] += col[src + ox];
                        }
                    }
                }
    }
}
