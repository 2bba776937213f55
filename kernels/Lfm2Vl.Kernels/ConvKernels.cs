using ILGPU;

namespace Lfm2Vl.Kernels;

/// <summary>Geometry of a 2-D convolution over a chunk of N images (NCHW, contiguous).</summary>
public struct ConvGeom
{
    public int N, C, H, W, OC, Cg, KH, KW, OH, OW, G;
    public int StrideH, StrideW, PadH, PadW, DilH, DilW;
}

/// <summary>
/// Strides of a column buffer indexed (image, group, k, p) with k = (c * KH + ki) * KW + kj over a group's
/// input channels and p = oy * OW + ox. The forward pass uses [n, g, k, p]; the weight gradient uses
/// [g, k, n, p] so that one GEMM per group sums over all images of the chunk.
/// </summary>
public struct ColLayout
{
    public int SN, SG, SK, SP;
}

/// <summary>Convolution as im2col + GEMM: unfolding into columns, and the adjoint fold (col2im).</summary>
public static class ConvKernels
{
    /// <summary>One thread per column element; out-of-image taps read as zero.</summary>
    public static void Im2Col<T, O>(int total, ConvGeom g, ColLayout cl, ArrayView<T> x, ArrayView<T> col)
        where T : unmanaged where O : struct, INum<T>
    {
        O o = default;
        int p = g.OH * g.OW, k = g.Cg * g.KH * g.KW;
        for (int idx = Grid.GlobalIndex.X; idx < total; idx += Grid.DimX * Group.DimX)
        {
            int pi = idx % p, rest = idx / p;
            int ki = rest % k; rest /= k;
            int gi = rest % g.G, n = rest / g.G;
            int cg = ki / (g.KH * g.KW), ky = ki / g.KW % g.KH, kx = ki % g.KW;
            int iy = pi / g.OW * g.StrideH - g.PadH + ky * g.DilH;
            int ix = pi % g.OW * g.StrideW - g.PadW + kx * g.DilW;
            T v = (uint)iy < (uint)g.H && (uint)ix < (uint)g.W
                ? x[((n * g.C + gi * g.Cg + cg) * g.H + iy) * g.W + ix]
                : o.Zero;
            col[n * cl.SN + gi * cl.SG + ki * cl.SK + pi * cl.SP] = v;
        }
    }

    /// <summary>dx = fold(col): one thread per input element gathers every tap that read it (no atomics).</summary>
    public static void Col2Im<T, O>(int total, ConvGeom g, ColLayout cl, ArrayView<T> col, ArrayView<T> dx)
        where T : unmanaged where O : struct, INum<T>
    {
        O o = default;
        for (int idx = Grid.GlobalIndex.X; idx < total; idx += Grid.DimX * Group.DimX)
        {
            int w = idx % g.W, rest = idx / g.W;
            int h = rest % g.H; rest /= g.H;
            int ch = rest % g.C, n = rest / g.C;
            int gi = ch / g.Cg, cg = ch % g.Cg;
            T sum = o.Zero;
            for (int ky = 0; ky < g.KH; ky++)
            {
                int ty = h + g.PadH - ky * g.DilH;
                if (ty < 0 || ty % g.StrideH != 0) continue;
                int oy = ty / g.StrideH;
                if (oy >= g.OH) continue;
                for (int kx = 0; kx < g.KW; kx++)
                {
                    int tx = w + g.PadW - kx * g.DilW;
                    if (tx < 0 || tx % g.StrideW != 0) continue;
                    int ox = tx / g.StrideW;
                    if (ox >= g.OW) continue;
                    int ki = (cg * g.KH + ky) * g.KW + kx;
                    sum = o.Add(sum, col[n * cl.SN + gi * cl.SG + ki * cl.SK + (oy * g.OW + ox) * cl.SP]);
                }
            }
            dx[idx] = sum;
        }
    }
}
