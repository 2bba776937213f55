using System.Buffers;
using System.Numerics;

namespace Lfm2Vl.Engine.Backends.Cpu;

// Convolution entry points: depthwise convolutions (one input channel per group) run the direct kernels of
// DepthwiseConv; the rest run as GEMMs over column tiles of the im2col matrix (CpuBackend.ConvGemm.cs).
public sealed partial class CpuBackend
{
    private readonly record struct ConvGeom(int N, int C, int H, int W, int OC, int Cg, int KH, int KW, int OH, int OW, int G)
    {
        public int OCg => OC / G;
        public int K => Cg * KH * KW;
        public int P => OH * OW;
        public int Plane => H * W;
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

    /// <summary>One input channel per group (groups == channels, any channel multiplier): the direct kernels.</summary>
    private static bool IsDepthwise(in ConvGeom g) => g.Cg == 1 && g.G > 1;

    /// <summary>Workers for n independent items: one per core at most.</summary>
    private static int Workers(int n) => Math.Max(1, Math.Min(n, Environment.ProcessorCount));

    /// <summary>
    /// Runs body(item, workerIndex) over items [0, n), each worker taking one contiguous range, one worker per core
    /// at most (the GEMMs inside run serially, so cores are never oversubscribed).
    /// </summary>
    private static void ForItems(int n, Action<int, int> body)
    {
        int wk = Workers(n);
        if (wk == 1) { for (int i = 0; i < n; i++) body(i, 0); return; }
        Parallel.For(0, wk, new ParallelOptions { MaxDegreeOfParallelism = wk }, t =>
        {
            for (int i = (int)((long)n * t / wk); i < (int)((long)n * (t + 1) / wk); i++) body(i, t);
        });
    }

    /// <summary>Per-worker scratch from the shared array pool (no large allocations per call).</summary>
    private static T[][] RentBuffers<T>(int count, int length) => Enumerable.Range(0, count).Select(_ => ArrayPool<T>.Shared.Rent(length)).ToArray();

    private static void ReturnBuffers<T>(T[][]? buffers)
    {
        if (buffers is null) return;
        foreach (var b in buffers) ArrayPool<T>.Shared.Return(b);
    }

    /// <summary>dst[0..len) = sum of the workers' partial buffers (those that saw any item).</summary>
    private static void SumPartials<T>(T[][] partial, bool[] seen, T[] dst, int dstOff, int len) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var d = dst.AsSpan(dstOff, len);
        d.Clear();
        for (int t = 0; t < partial.Length; t++)
            if (seen[t]) System.Numerics.Tensors.TensorPrimitives.Add(d, partial[t].AsSpan(0, len), d);
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
        if (IsDepthwise(g)) DepthwiseForward(xs, x.Offset, ws, w.Offset, bs, bOff, ys, y.Offset, p, g);
        else GemmForward(xs, x.Offset, ws, w.Offset, bs, bOff, ys, y.Offset, p, g);
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
        if (IsDepthwise(g)) DepthwiseBackwardInput(gs, gy.Offset, ws, w.Offset, ds, dx.Offset, p, g);
        else GemmBackwardInput(gs, gy.Offset, ws, w.Offset, ds, dx.Offset, p, g);
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
        if (IsDepthwise(g)) DepthwiseBackwardWeight(xs, x.Offset, gs, gy.Offset, ds, dw.Offset, p, g);
        else GemmBackwardWeight(xs, x.Offset, gs, gy.Offset, ds, dw.Offset, p, g);
    }
}
