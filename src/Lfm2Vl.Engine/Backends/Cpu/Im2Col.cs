using System.Numerics;
using System.Runtime.CompilerServices;

namespace Lfm2Vl.Engine.Backends.Cpu;

/// <summary>
/// Unfolds one image's channels into a [C*KH*KW, OH*OW] matrix (and folds it back, accumulating), so that a
/// convolution becomes one GEMM. Both work on a range [p0, p1) of output positions (a column tile), so a
/// convolution can run tile by tile with a column block that stays in cache instead of one full-image buffer;
/// the tile is written with row stride p1 - p0. Out-of-image taps read as zero.
/// </summary>
internal static class Im2Col
{
    /// <summary>col[r * (p1 - p0) + (pos - p0)] = tap r of the image at output position pos, for pos in [p0, p1).</summary>
    // Fully optimized from the first call (as the GEMM kernels): a batch-1 request runs each conv once, and the
    // tier-0 loop here cost several times the optimized one until tiering caught up.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Unfold<T>(T[] x, int xOff, int c, int h, int w, int kh, int kw, in Conv2dParams p, int ow, int p0, int p1, T[] col)
        where T : unmanaged, INumberBase<T>
    {
        int width = p1 - p0;
        bool sameWidth = p.StrideH == 1 && p.StrideW == 1 && ow == w;
        for (int ci = 0; ci < c; ci++)
            for (int ki = 0; ki < kh; ki++)
                for (int kj = 0; kj < kw; kj++)
                {
                    int row = ((ci * kh + ki) * kw + kj) * width;
                    int src = xOff + ci * h * w;
                    int x0 = kj * p.DilationW - p.PadW;
                    if (sameWidth)
                    {
                        UnfoldSameWidthRow(x, src, h, w, ki * p.DilationH - p.PadH, x0, p0, p1, col.AsSpan(row, width));
                        continue;
                    }
                    for (int oy = p0 / ow, pos = p0; pos < p1; oy++)
                    {
                        // Output columns [ox0, ox1) of row oy fall in the tile.
                        int ox0 = pos - oy * ow, ox1 = Math.Min(ow, p1 - oy * ow);
                        var dst = col.AsSpan(row + pos - p0, ox1 - ox0);
                        pos += ox1 - ox0;
                        int iy = oy * p.StrideH - p.PadH + ki * p.DilationH;
                        if ((uint)iy >= (uint)h) { dst.Clear(); continue; }
                        int srcRow = src + iy * w;
                        if (p.StrideW == 1)
                        {
                            // Valid output columns are those with 0 <= ox + x0 < w: one contiguous copy.
                            int lo = Math.Clamp(-x0, ox0, ox1), hi = Math.Clamp(w - x0, lo, ox1);
                            dst[..(lo - ox0)].Clear();
                            if (hi > lo) x.AsSpan(srcRow + lo + x0, hi - lo).CopyTo(dst[(lo - ox0)..(hi - ox0)]);
                            dst[(hi - ox0)..].Clear();
                        }
                        else
                        {
                            // Valid output columns [lo, hi): a gather with no bounds tests inside, zeros around it.
                            int sw = p.StrideW;
                            int lo = Math.Clamp(CeilDiv(-x0, sw), ox0, ox1), hi = Math.Clamp(CeilDiv(w - x0, sw), lo, ox1);
                            dst[..(lo - ox0)].Clear();
                            dst[(hi - ox0)..].Clear();
                            if (hi <= lo) continue;
                            // Refs start at the first valid element (never outside the arrays).
                            ref T s0 = ref x[srcRow + lo * sw + x0];
                            _ = x[srcRow + (hi - 1) * sw + x0]; // range check once
                            ref T d0 = ref dst[lo - ox0];
                            for (int i = 0; i < hi - lo; i++) Unsafe.Add(ref d0, i) = Unsafe.Add(ref s0, i * sw);
                        }
                    }
                }
    }

    /// <summary>Ceiling of a / b for b &gt; 0 and any sign of a.</summary>
    private static int CeilDiv(int a, int b) => a >= 0 ? (a + b - 1) / b : -(-a / b);

    /// <summary>
    /// One tap's row of the tile when stride is 1 and the output is as wide as the input ("same" padding): output
    /// position pos reads plane element pos + y0*w + x0, so all in-image rows are one contiguous copy; then the
    /// columns whose tap falls outside the row (ox + x0 outside [0, w)) and the rows outside the image are zeroed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void UnfoldSameWidthRow<T>(T[] x, int plane, int h, int w, int y0, int x0, int p0, int p1, Span<T> dst)
        where T : unmanaged, INumberBase<T>
    {
        // Output rows oy with 0 <= oy + y0 < h, as positions, clipped to the tile and to reads inside the plane.
        int shift = y0 * w + x0;
        int a = Math.Clamp(-y0 * w, p0, p1), b = Math.Clamp((h - y0) * w, a, p1);
        int ca = Math.Clamp(-shift, a, b), cb = Math.Clamp(h * w - shift, ca, b);
        dst[..(a - p0)].Clear();
        dst[(b - p0)..].Clear();
        if (cb > ca) x.AsSpan(plane + ca + shift, cb - ca).CopyTo(dst[(ca - p0)..]);
        if (x0 == 0 || a == b) return;
        // Columns [lo, hi) of each row are outside the image (left edge for x0 < 0, right edge for x0 > 0);
        // this also covers the positions [a, ca) and [cb, b) the copy skipped.
        int lo = x0 < 0 ? 0 : Math.Max(0, w - x0), hi = x0 < 0 ? Math.Min(w, -x0) : w;
        for (int rowStart = a / w * w; rowStart < b; rowStart += w)
        {
            int s = Math.Max(a, rowStart + lo), e = Math.Min(b, rowStart + hi);
            if (e > s) dst[(s - p0)..(e - p0)].Clear();
        }
    }

    /// <summary>dx[image] += fold(col tile): the adjoint of <see cref="Unfold{T}"/> over the same range.</summary>
    public static void FoldAdd<T>(T[] col, int c, int h, int w, int kh, int kw, in Conv2dParams p, int ow, int p0, int p1, T[] dx, int dxOff)
        where T : unmanaged, INumberBase<T>
    {
        int width = p1 - p0;
        for (int ci = 0; ci < c; ci++)
            for (int ki = 0; ki < kh; ki++)
                for (int kj = 0; kj < kw; kj++)
                {
                    int row = ((ci * kh + ki) * kw + kj) * width;
                    int dst = dxOff + ci * h * w;
                    int x0 = kj * p.DilationW - p.PadW;
                    for (int oy = p0 / ow, pos = p0; pos < p1; oy++)
                    {
                        int ox0 = pos - oy * ow, ox1 = Math.Min(ow, p1 - oy * ow);
                        int src = row + pos - p0 - ox0; // col index of output column ox is src + ox
                        pos += ox1 - ox0;
                        int iy = oy * p.StrideH - p.PadH + ki * p.DilationH;
                        if ((uint)iy >= (uint)h) continue;
                        int dstRow = dst + iy * w, sw = p.StrideW;
                        // Output columns [lo, hi) land inside the row: an add with no bounds tests inside.
                        int lo = Math.Clamp(CeilDiv(-x0, sw), ox0, ox1), hi = Math.Clamp(CeilDiv(w - x0, sw), lo, ox1);
                        if (hi <= lo) continue;
                        if (sw == 1)
                        {
                            var d = dx.AsSpan(dstRow + lo + x0, hi - lo);
                            System.Numerics.Tensors.TensorPrimitives.Add(d, new ReadOnlySpan<T>(col, src + lo, hi - lo), d);
                            continue;
                        }
                        _ = dx[dstRow + (hi - 1) * sw + x0] + col[src + hi - 1]; // range checks once
                        // Refs start at the first valid element (never outside the arrays).
                        ref T d0 = ref dx[dstRow + lo * sw + x0];
                        ref T c0 = ref col[src + lo];
                        for (int i = 0; i < hi - lo; i++) Unsafe.Add(ref d0, i * sw) += Unsafe.Add(ref c0, i);
                    }
                }
    }
}
