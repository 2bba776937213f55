using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Lfm2Vl.Engine.Backends.Cpu;

// Convolution as GEMMs over column tiles of the im2col matrix: each work item is one image and one range of
// output positions, whose K x width column block (K = Cg*KH*KW) is unfolded into a per-worker buffer small enough
// to stay in L2 while the GEMM reads it in place. No full-image column buffer exists; a pointwise (1x1, stride 1,
// no padding) convolution reads the input plane itself. Items are spread over the cores and the GEMMs inside run
// serially, so the cores are not oversubscribed; a single item gets a parallel GEMM instead.
public sealed partial class CpuBackend
{
    /// <summary>Target size in elements of one column tile: 512 KiB of floats, half the L2 (the packed weights use the rest).</summary>
    private const int ConvTileElements = 128 << 10;

    /// <summary>Tests only: a fixed tile width (for ragged multi-tile cases at small shapes); 0 = automatic.</summary>
    [ThreadStatic] internal static int t_convTileWidthOverride;

    /// <summary>An image's P output positions in Count tiles of Width (the last may be shorter).</summary>
    private readonly record struct ConvTiles(int Width, int Count)
    {
        public static ConvTiles For(int k, int p)
        {
            int width = t_convTileWidthOverride;
            if (width <= 0)
            {
                // Multiples of 32 (the micro-kernel's panel width), near-equal tiles.
                int max = Math.Max(32, ConvTileElements / Math.Max(1, k) / 32 * 32);
                int count = (p + max - 1) / max;
                width = ((p + count - 1) / count + 31) / 32 * 32;
            }
            width = Math.Min(width, p);
            return new ConvTiles(width, (p + width - 1) / width);
        }

        public (int N, int P0, int P1) Item(int item, int p)
        {
            int p0 = item % Count * Width;
            return (item / Count, p0, Math.Min(p, p0 + Width));
        }
    }

    /// <summary>
    /// The [K, p1 - p0] block of one image and group's im2col matrix, with its row stride: the input plane itself
    /// for a pointwise conv (no copy), else the tile unfolded into the worker's buffer.
    /// </summary>
    private static (T[] Data, int Offset, int Ld) ColumnTile<T>(T[] xs, int xOff, T[]? col, in ConvGeom g, in Conv2dParams p, int p0, int p1)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (col is null) return (xs, xOff + p0, g.P);
        Im2Col.Unfold(xs, xOff, g.Cg, g.H, g.W, g.KH, g.KW, p, g.OW, p0, p1, col);
        return (col, 0, p1 - p0);
    }

    /// <summary>y = conv(x, w) (+ bias, written into the output before the GEMM accumulates onto it).</summary>
    private static void GemmForward<T>(T[] xs, int xOff0, T[] ws, int wOff0, T[]? bs, int bOff, T[] ys, int yOff0, Conv2dParams p, ConvGeom g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var tiles = ConvTiles.For(g.K, g.P);
        int items = g.N * tiles.Count, workers = Workers(items);
        var cols = IsPointwise(g, p) ? null : RentBuffers<T>(workers, g.K * tiles.Width);
        bool innerParallel = workers == 1;
        var packed = innerParallel ? null : PackWeights(ws, wOff0, g);
        try
        {
            ForTiles();
        }
        finally
        {
            ReturnBuffers(cols);
            if (packed is not null) foreach (var pw in packed) pw.Dispose(); // unpins even if a tile threw
        }

        void ForTiles() => ForItems(items, (item, t) =>
        {
            var (n, p0, p1) = tiles.Item(item, g.P);
            int len = p1 - p0;
            for (int gi = 0; gi < g.G; gi++)
            {
                int xOff = xOff0 + (n * g.C + gi * g.Cg) * g.Plane;
                int yOff = yOff0 + (n * g.OC + gi * g.OCg) * g.P + p0;
                var (bm, bmOff, ldb) = ColumnTile(xs, xOff, cols?[t], g, p, p0, p1);
                if (bs is not null)
                    for (int o = 0; o < g.OCg; o++) ys.AsSpan(yOff + o * g.P, len).Fill(bs[bOff + gi * g.OCg + o]);
                if (packed is not null)
                    packed[gi].Multiply(len, Unsafe.As<float[]>(bm), bmOff, ldb, 1, Unsafe.As<float[]>(ys), yOff, g.P, bs is not null);
                else
                    Gemm.Run(g.OCg, len, g.K, ws, wOff0 + gi * g.OCg * g.K, g.K, 1, bm, bmOff, ldb, 1, ys, yOff, g.P, bs is not null, innerParallel);
            }
        });
    }

    /// <summary>
    /// Float32 only: each group's [OCg, K] weight matrix packed once for the micro-kernel, shared by every tile
    /// (null for float64 or when the reference GEMM is forced: those tiles go through Gemm.Run).
    /// </summary>
    private static SgemmPackedA[]? PackWeights<T>(T[] ws, int wOff0, in ConvGeom g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) != typeof(float) || Gemm.ForceReference) return null;
        var packed = new SgemmPackedA[g.G];
        for (int gi = 0; gi < g.G; gi++)
            packed[gi] = new SgemmPackedA(g.OCg, g.K, Unsafe.As<float[]>(ws), wOff0 + gi * g.OCg * g.K, g.K, 1);
        return packed;
    }

    /// <summary>
    /// For a stride-1 conv whose padding is at most the dilated kernel extent, the input gradient is itself a
    /// convolution of the output gradient (with the kernel flipped and in/out channels swapped), so it runs on the
    /// tiled forward path (a deep GEMM, no fold). Below 8 input channels per group its GEMM would be too thin.
    /// </summary>
    private static Conv2dParams? TransposedParams(in ConvGeom g, in Conv2dParams p)
    {
        int padH = p.DilationH * (g.KH - 1) - p.PadH, padW = p.DilationW * (g.KW - 1) - p.PadW;
        if (p.StrideH != 1 || p.StrideW != 1 || padH < 0 || padW < 0 || g.Cg < 8) return null;
        return new Conv2dParams(1, 1, padH, padW, p.DilationH, p.DilationW, g.G);
    }

    /// <summary>dx = conv2d's input gradient for output gradient gy (dx is overwritten).</summary>
    private static void GemmBackwardInput<T>(T[] gs, int gyOff0, T[] ws, int wOff0, T[] ds, int dxOff0, Conv2dParams p, ConvGeom g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (TransposedParams(g, p) is { } tp)
        {
            // W'[gi*Cg + c, o, ki, kj] = W[gi*OCg + o, c, KH-1-ki, KW-1-kj]: per group, in and out channels swap.
            int khw = g.KH * g.KW;
            var wt = ArrayPool<T>.Shared.Rent(g.OC * g.K);
            for (int gi = 0; gi < g.G; gi++)
                for (int o = 0; o < g.OCg; o++)
                    for (int c = 0; c < g.Cg; c++)
                    {
                        int src = wOff0 + ((gi * g.OCg + o) * g.Cg + c) * khw, dst = ((gi * g.Cg + c) * g.OCg + o) * khw;
                        for (int r = 0; r < khw; r++) wt[dst + r] = ws[src + khw - 1 - r];
                    }
            var tg = new ConvGeom(g.N, g.OC, g.OH, g.OW, g.C, g.OCg, g.KH, g.KW, g.H, g.W, g.G);
            GemmForward(gs, gyOff0, wt, 0, null, 0, ds, dxOff0, tp, tg);
            ArrayPool<T>.Shared.Return(wt);
            return;
        }

        // Otherwise per image: dcol tile [K, len] = W_g^T [K, OCg] @ gy tile [OCg, len], folded into dx. Tiles of
        // one image overlap in dx, so an item is a whole image.
        var tiles = ConvTiles.For(g.K, g.P);
        int workers = Workers(g.N);
        var cols = RentBuffers<T>(workers, g.K * tiles.Width);
        bool innerParallel = workers == 1;
        ForItems(g.N, (n, t) =>
        {
            var col = cols[t];
            for (int gi = 0; gi < g.G; gi++)
            {
                int dxOff = dxOff0 + (n * g.C + gi * g.Cg) * g.Plane;
                int gyOff = gyOff0 + (n * g.OC + gi * g.OCg) * g.P;
                ds.AsSpan(dxOff, g.Cg * g.Plane).Clear();
                for (int p0 = 0; p0 < g.P; p0 += tiles.Width)
                {
                    int p1 = Math.Min(g.P, p0 + tiles.Width), len = p1 - p0;
                    // W_g^T has row stride 1 and column stride K.
                    Gemm.Run(g.K, len, g.OCg, ws, wOff0 + gi * g.OCg * g.K, 1, g.K, gs, gyOff + p0, g.P, 1, col, 0, len, false, innerParallel);
                    Im2Col.FoldAdd(col, g.Cg, g.H, g.W, g.KH, g.KW, p, g.OW, p0, p1, ds, dxOff);
                }
            }
        });
        ReturnBuffers(cols);
    }

    /// <summary>dw = conv2d's weight gradient: per-worker sums over (image, tile) items, added up at the end.</summary>
    private static void GemmBackwardWeight<T>(T[] xs, int xOff0, T[] gs, int gyOff0, T[] ds, int dwOff, Conv2dParams p, ConvGeom g)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var tiles = ConvTiles.For(g.K, g.P);
        int items = g.N * tiles.Count, workers = Workers(items), wLen = g.OC * g.K;
        var partial = RentBuffers<T>(workers, wLen);
        var seen = new bool[workers];
        var cols = IsPointwise(g, p) ? null : RentBuffers<T>(workers, g.K * tiles.Width);
        bool innerParallel = workers == 1;
        ForItems(items, (item, t) =>
        {
            var (n, p0, p1) = tiles.Item(item, g.P);
            for (int gi = 0; gi < g.G; gi++)
            {
                int xOff = xOff0 + (n * g.C + gi * g.Cg) * g.Plane;
                int gyOff = gyOff0 + (n * g.OC + gi * g.OCg) * g.P + p0;
                var (bm, bmOff, ldb) = ColumnTile(xs, xOff, cols?[t], g, p, p0, p1);
                // dW_g[OCg, K] += gy tile [OCg, len] @ col^T [len, K]; col^T has row stride 1 and column stride ldb.
                Gemm.Run(g.OCg, g.K, p1 - p0, gs, gyOff, g.P, 1, bm, bmOff, 1, ldb, partial[t], gi * g.OCg * g.K, g.K, seen[t], innerParallel);
            }
            seen[t] = true;
        });
        SumPartials(partial, seen, ds, dwOff, wLen);
        ReturnBuffers(cols);
        ReturnBuffers(partial);
    }
}
