using ILGPU;

namespace Lfm2Vl.Kernels;

/// <summary>Geometry of 2-D pooling over planes = N * C contiguous H x W images.</summary>
public struct PoolGeom
{
    public int Planes, H, W, OH, OW, KH, KW, StrideH, StrideW, PadH, PadW;
    public int CountIncludePad;
}

/// <summary>
/// Max and average pooling. Backward passes run one thread per input element and gather from the outputs
/// whose windows contain it, so no atomics are needed.
/// </summary>
public static class PoolKernels
{
    public static void MaxForward<T, O>(int total, PoolGeom g, ArrayView<T> x, ArrayView<T> y, ArrayView<int> indices)
        where T : unmanaged where O : struct, INum<T>
    {
        O o = default;
        for (int idx = Grid.GlobalIndex.X; idx < total; idx += Grid.DimX * Group.DimX)
        {
            int ox = idx % g.OW, oy = idx / g.OW % g.OH, pl = idx / (g.OW * g.OH);
            int y0 = oy * g.StrideH - g.PadH, x0 = ox * g.StrideW - g.PadW, xb = pl * g.H * g.W;
            T best = o.NegInf;
            int bestIdx = -1;
            bool done = false;
            for (int ky = y0 < 0 ? -y0 : 0; ky < g.KH && y0 + ky < g.H && !done; ky++)
                for (int kx = x0 < 0 ? -x0 : 0; kx < g.KW && x0 + kx < g.W; kx++)
                {
                    int at = (y0 + ky) * g.W + x0 + kx;
                    T v = x[xb + at];
                    if (bestIdx < 0 || o.Gt(v, best) || o.IsNaN(v))
                    {
                        best = v;
                        bestIdx = at;
                        if (o.IsNaN(v)) { done = true; break; }
                    }
                }
            y[idx] = best;
            indices[idx] = bestIdx;
        }
    }

    /// <summary>First output row (or column) whose window [o*s - pad, o*s - pad + k) contains position i.</summary>
    private static int FirstWindow(int i, int pad, int k, int s)
    {
        int t = i + pad - k + 1;
        return t <= 0 ? 0 : (t + s - 1) / s;
    }

    public static void MaxBackward<T, O>(int total, PoolGeom g, ArrayView<T> gy, ArrayView<int> indices, ArrayView<T> dx)
        where T : unmanaged where O : struct, INum<T>
    {
        O o = default;
        for (int idx = Grid.GlobalIndex.X; idx < total; idx += Grid.DimX * Group.DimX)
        {
            int w = idx % g.W, h = idx / g.W % g.H, pl = idx / (g.W * g.H);
            int at = h * g.W + w, ob = pl * g.OH * g.OW;
            T sum = o.Zero;
            int oyEnd = (h + g.PadH) / g.StrideH, oxEnd = (w + g.PadW) / g.StrideW;
            for (int oy = FirstWindow(h, g.PadH, g.KH, g.StrideH); oy <= oyEnd && oy < g.OH; oy++)
                for (int ox = FirstWindow(w, g.PadW, g.KW, g.StrideW); ox <= oxEnd && ox < g.OW; ox++)
                    if (indices[ob + oy * g.OW + ox] == at) sum = o.Add(sum, gy[ob + oy * g.OW + ox]);
            dx[idx] = sum;
        }
    }

    /// <summary>The divisor of one output's window (PyTorch's rule: padding counts unless excluded).</summary>
    private static int Divisor(in PoolGeom g, int oy, int ox, out int ys, out int ye, out int xs, out int xe)
    {
        ys = oy * g.StrideH - g.PadH;
        xs = ox * g.StrideW - g.PadW;
        ye = ys + g.KH < g.H + g.PadH ? ys + g.KH : g.H + g.PadH;
        xe = xs + g.KW < g.W + g.PadW ? xs + g.KW : g.W + g.PadW;
        int padded = (ye - ys) * (xe - xs);
        if (ys < 0) ys = 0;
        if (xs < 0) xs = 0;
        if (ye > g.H) ye = g.H;
        if (xe > g.W) xe = g.W;
        int div = g.CountIncludePad != 0 ? padded : (ye - ys) * (xe - xs);
        return div < 1 ? 1 : div;
    }

    public static void AvgForward<T, O>(int total, PoolGeom g, ArrayView<T> x, ArrayView<T> y)
        where T : unmanaged where O : struct, INum<T>
    {
        O o = default;
        for (int idx = Grid.GlobalIndex.X; idx < total; idx += Grid.DimX * Group.DimX)
        {
            int ox = idx % g.OW, oy = idx / g.OW % g.OH, pl = idx / (g.OW * g.OH);
            int div = Divisor(g, oy, ox, out int ys, out int ye, out int xs, out int xe);
            int xb = pl * g.H * g.W;
            T sum = o.Zero;
            for (int iy = ys; iy < ye; iy++)
                for (int ix = xs; ix < xe; ix++) sum = o.Add(sum, x[xb + iy * g.W + ix]);
            y[idx] = o.Div(sum, o.OfInt(div));
        }
    }

    public static void AvgBackward<T, O>(int total, PoolGeom g, ArrayView<T> gy, ArrayView<T> dx)
        where T : unmanaged where O : struct, INum<T>
    {
        O o = default;
        for (int idx = Grid.GlobalIndex.X; idx < total; idx += Grid.DimX * Group.DimX)
        {
            int w = idx % g.W, h = idx / g.W % g.H, pl = idx / (g.W * g.H);
            int ob = pl * g.OH * g.OW;
            T sum = o.Zero;
            int oyEnd = (h + g.PadH) / g.StrideH, oxEnd = (w + g.PadW) / g.StrideW;
            for (int oy = FirstWindow(h, g.PadH, g.KH, g.StrideH); oy <= oyEnd && oy < g.OH; oy++)
                for (int ox = FirstWindow(w, g.PadW, g.KW, g.StrideW); ox <= oxEnd && ox < g.OW; ox++)
                {
                    int div = Divisor(g, oy, ox, out int ys, out int ye, out int xs, out int xe);
                    if (h >= ys && h < ye && w >= xs && w < xe) sum = o.Add(sum, o.Div(gy[ob + oy * g.OW + ox], o.OfInt(div)));
                }
            dx[idx] = sum;
        }
    }
}
