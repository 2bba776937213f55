using System.Buffers;
using System.Numerics;

namespace Lfm2Vl.Engine.Backends.Cpu;

// Convolution as im2col + GEMM per image and group. Images are split across cores; each worker has its own
// column buffer, and the GEMMs inside run single-threaded so cores are not oversubscribed.
public sealed partial class CpuBackend
{
    private readonly record struct ConvGeom(int N, int C, int H, int W, int OC, int Cg, int KH, int KW, int OH, int OW, int G)
    {
        public int OCg => OC / G;
        public int K => Cg * KH * KW;
        public int P => OH * OW;
    }

    private static ConvGeom Geometry(in TensorView x, in TensorView w, in TensorView y, in Conv2dParams p)
    {
        if (x.Rank != 4 || w.Rank != 4 || y.Rank != 4) throw new ArgumentException("Conv2d expects NCHW input, [OC, C/groups, KH, KW] weight and NCHW output.");
        foreach (var v in new[] { x, w, y })
            if (!v.IsContiguous) throw new ArgumentException("Conv2d primitives need contiguous tensors.");
        var g = new ConvGeom(x.Shape[0], x.Shape[1], x.Shape[2], x.Shape[3], w.Shape[0], w.Shape[1], w.Shape[2], w.Shape[3], y.Shape[2], y.Shape[3], p.Groups);
        if (g.C != g.Cg * g.G || g.OC % g.G != 0 || y.Shape[1] != g.OC || y.Shape[0] != g.N)
            throw new ArgumentException($"Conv2d: inconsistent shapes x{ShapeUtil.Format(x.Shape)} w{ShapeUtil.Format(w.Shape)} y{ShapeUtil.Format(y.Shape)} groups={p.Groups}.");
        return g;
    }

    private static bool IsPointwise(in ConvGeom g, in Conv2dParams p) =>
        g.KH == 1 && g.KW == 1 && p.StrideH == 1 && p.StrideW == 1 && p.PadH == 0 && p.PadW == 0;

    /// <summary>Workers for a batch of n images: one per core at most.</summary>
    private static int Workers(int n) => Math.Max(1, Math.Min(n, Environment.ProcessorCount));

    /// <summary>Runs body(image, workerIndex) over the batch, one worker per core at most.</summary>
    private static void ForImages(int n, Action<int, int> body)
    {
        int wk = Workers(n);
        if (wk == 1) { for (int i = 0; i < n; i++) body(i, 0); return; }
        Parallel.For(0, wk, new ParallelOptions { MaxDegreeOfParallelism = wk }, t =>
        {
            for (int i = (int)((long)n * t / wk); i < (int)((long)n * (t + 1) / wk); i++) body(i, t);
        });
    }

    public void Conv2d(in TensorView x, in TensorView w, in TensorView? bias, in TensorView y, in Conv2dParams p)
    {
        CheckSameDType("conv2d", x, w, y);
        var g = Geometry(x, w, y, p);
        var (xv, wv, bv, yv, pp) = (x, w, bias, y, p);
        Floating(x.DType, "conv2d", _ => ConvT<float>(xv, wv, bv, yv, pp, g), _ => ConvT<double>(xv, wv, bv, yv, pp, g));
    }

    private static void ConvT<T>(TensorView x, TensorView w, TensorView? bias, TensorView y, Conv2dParams p, ConvGeom g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] xs = Arr<T>(x), ws = Arr<T>(w), ys = Arr<T>(y);
        T[]? bs = bias is { } b ? Arr<T>(b) : null;
        int bOff = bias?.Offset ?? 0;
        bool pointwise = IsPointwise(g, p);
        int workers = Workers(g.N);
        var cols = pointwise ? null : RentBuffers<T>(workers, g.K * g.P);
        bool innerParallel = workers == 1;
        ForImages(g.N, (n, t) =>
        {
            for (int gi = 0; gi < g.G; gi++)
            {
                int xOff = x.Offset + (n * g.C + gi * g.Cg) * g.H * g.W;
                int yOff = y.Offset + (n * g.OC + gi * g.OCg) * g.P;
                var (bm, bmOff) = Columns(xs, xOff, cols?[t], g, p);
                Gemm.Run(g.OCg, g.P, g.K, ws, w.Offset + gi * g.OCg * g.K, g.K, 1, bm, bmOff, g.P, 1, ys, yOff, g.P, false, innerParallel);
                if (bs is not null)
                    for (int o = 0; o < g.OCg; o++)
                        System.Numerics.Tensors.TensorPrimitives.Add(ys.AsSpan(yOff + o * g.P, g.P), bs[bOff + gi * g.OCg + o], ys.AsSpan(yOff + o * g.P, g.P));
            }
        });
        ReturnBuffers(cols);
    }

    /// <summary>
    /// The [K, P] matrix of one image and group: the input plane itself for a pointwise conv (no copy), else its
    /// im2col unfold written into the worker's column buffer.
    /// </summary>
    private static (T[] Data, int Offset) Columns<T>(T[] xs, int xOff, T[]? col, in ConvGeom g, in Conv2dParams p) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (col is null) return (xs, xOff);
        Im2Col.Unfold(xs, xOff, g.Cg, g.H, g.W, g.KH, g.KW, p, g.OH, g.OW, col);
        return (col, 0);
    }

    /// <summary>Per-worker scratch from the shared array pool (no large allocations per call).</summary>
    private static T[][] RentBuffers<T>(int count, int length) => Enumerable.Range(0, count).Select(_ => ArrayPool<T>.Shared.Rent(length)).ToArray();

    private static void ReturnBuffers<T>(T[][]? buffers)
    {
        if (buffers is null) return;
        foreach (var b in buffers) ArrayPool<T>.Shared.Return(b);
    }

    public void Conv2dBackwardInput(in TensorView gy, in TensorView w, in TensorView dx, in Conv2dParams p)
    {
        CheckSameDType("conv2d backward", gy, w, dx);
        var g = Geometry(dx, w, gy, p);
        var (gv, wv, dv, pp) = (gy, w, dx, p);
        Floating(dx.DType, "conv2d backward", _ => ConvBackInT<float>(gv, wv, dv, pp, g), _ => ConvBackInT<double>(gv, wv, dv, pp, g));
    }

    private static void ConvBackInT<T>(TensorView gy, TensorView w, TensorView dx, Conv2dParams p, ConvGeom g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] gs = Arr<T>(gy), ws = Arr<T>(w), ds = Arr<T>(dx);
        bool pointwise = IsPointwise(g, p);
        int workers = Workers(g.N);
        var cols = pointwise ? null : RentBuffers<T>(workers, g.K * g.P);
        bool innerParallel = workers == 1;
        ForImages(g.N, (n, t) =>
        {
            for (int gi = 0; gi < g.G; gi++)
            {
                int dxOff = dx.Offset + (n * g.C + gi * g.Cg) * g.H * g.W;
                int gyOff = gy.Offset + (n * g.OC + gi * g.OCg) * g.P;
                // dcol[K, P] = W_g^T[K, OCg] @ gy[OCg, P]; W_g^T has row stride 1 and column stride K.
                if (pointwise)
                {
                    Gemm.Run(g.K, g.P, g.OCg, ws, w.Offset + gi * g.OCg * g.K, 1, g.K, gs, gyOff, g.P, 1, ds, dxOff, g.P, false, innerParallel);
                    continue;
                }
                var col = cols![t];
                Gemm.Run(g.K, g.P, g.OCg, ws, w.Offset + gi * g.OCg * g.K, 1, g.K, gs, gyOff, g.P, 1, col, 0, g.P, false, innerParallel);
                ds.AsSpan(dxOff, g.Cg * g.H * g.W).Clear();
                Im2Col.FoldAdd(col, g.Cg, g.H, g.W, g.KH, g.KW, p, g.OH, g.OW, ds, dxOff);
            }
        });
        ReturnBuffers(cols);
    }

    public void Conv2dBackwardWeight(in TensorView x, in TensorView gy, in TensorView dw, in Conv2dParams p)
    {
        CheckSameDType("conv2d weight gradient", x, gy, dw);
        var g = Geometry(x, dw, gy, p);
        var (xv, gv, dv, pp) = (x, gy, dw, p);
        Floating(x.DType, "conv2d weight gradient", _ => ConvBackWT<float>(xv, gv, dv, pp, g), _ => ConvBackWT<double>(xv, gv, dv, pp, g));
    }

    private static void ConvBackWT<T>(TensorView x, TensorView gy, TensorView dw, Conv2dParams p, ConvGeom g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] xs = Arr<T>(x), gs = Arr<T>(gy), ds = Arr<T>(dw);
        bool pointwise = IsPointwise(g, p);
        int workers = Workers(g.N);
        int wLen = g.OC * g.K;
        // Each worker accumulates its images into its own buffer; they are summed at the end.
        var partial = RentBuffers<T>(workers, wLen);
        var seen = new bool[workers];
        var cols = pointwise ? null : RentBuffers<T>(workers, g.K * g.P);
        bool innerParallel = workers == 1;
        ForImages(g.N, (n, t) =>
        {
            for (int gi = 0; gi < g.G; gi++)
            {
                int xOff = x.Offset + (n * g.C + gi * g.Cg) * g.H * g.W;
                int gyOff = gy.Offset + (n * g.OC + gi * g.OCg) * g.P;
                var (bm, bmOff) = Columns(xs, xOff, cols?[t], g, p);
                // dW_g[OCg, K] += gy[OCg, P] @ col^T[P, K]; col^T has row stride 1 and column stride P.
                Gemm.Run(g.OCg, g.K, g.P, gs, gyOff, g.P, 1, bm, bmOff, 1, g.P, partial[t], gi * g.OCg * g.K, g.K, seen[t], innerParallel);
            }
            seen[t] = true;
        });
        var dst = ds.AsSpan(dw.Offset, wLen);
        partial[0].AsSpan(0, wLen).CopyTo(dst);
        for (int t = 1; t < workers; t++)
            if (seen[t]) System.Numerics.Tensors.TensorPrimitives.Add(dst, partial[t].AsSpan(0, wLen), dst);
        ReturnBuffers(cols);
        ReturnBuffers(partial);
    }
}
