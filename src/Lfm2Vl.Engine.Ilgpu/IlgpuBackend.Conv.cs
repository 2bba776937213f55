using ILGPU;
using ILGPU.Runtime;
using Lfm2Vl.Kernels;

namespace Lfm2Vl.Engine.Ilgpu;

// Convolution as im2col + batched GEMM (one GEMM per image and group in a single launch). Images go in
// chunks so the column buffer stays below ColumnBudget elements; 1x1 stride-1 unpadded convolutions skip
// im2col. The weight gradient lays columns out as [group, k, image, p] so that one GEMM per group sums
// over every image of a chunk, and chunks accumulate into dW: no atomics anywhere.
public sealed partial class IlgpuBackend
{
    /// <summary>Largest column buffer (elements) one convolution chunk may use.</summary>
    public int ColumnBudget { get; set; } = 1 << 24;

    private static ConvGeom Geometry(in TensorView x, in TensorView w, in TensorView y, in Conv2dParams p)
    {
        if (x.Rank != 4 || w.Rank != 4 || y.Rank != 4) throw new ArgumentException("Conv2d expects NCHW input, [OC, C/groups, KH, KW] weight and NCHW output.");
        foreach (var v in new[] { x, w, y })
            if (!v.IsContiguous) throw new ArgumentException("Conv2d primitives need contiguous tensors.");
        var g = new ConvGeom
        {
            N = x.Shape[0], C = x.Shape[1], H = x.Shape[2], W = x.Shape[3], OC = w.Shape[0], Cg = w.Shape[1], KH = w.Shape[2], KW = w.Shape[3],
            OH = y.Shape[2], OW = y.Shape[3], G = p.Groups, StrideH = p.StrideH, StrideW = p.StrideW, PadH = p.PadH, PadW = p.PadW,
            DilH = p.DilationH, DilW = p.DilationW,
        };
        if (g.C != g.Cg * g.G || g.OC % g.G != 0 || y.Shape[1] != g.OC || y.Shape[0] != g.N)
            throw new ArgumentException($"Conv2d: inconsistent shapes x{ShapeUtil.Format(x.Shape)} w{ShapeUtil.Format(w.Shape)} y{ShapeUtil.Format(y.Shape)} groups={p.Groups}.");
        return g;
    }

    private static bool IsPointwise(in ConvGeom g) =>
        g.KH == 1 && g.KW == 1 && g.StrideH == 1 && g.StrideW == 1 && g.PadH == 0 && g.PadW == 0;

    private int ChunkImages(in ConvGeom g)
    {
        long perImage = (long)g.G * g.Cg * g.KH * g.KW * g.OH * g.OW;
        return (int)Math.Clamp(ColumnBudget / Math.Max(perImage, 1), 1, Math.Max(g.N, 1));
    }

    private static GemmArgs BatchedGemm(int m, int n, int k, int images, int groups,
        int aOff, int aSn, int aSg, int aRow, int aCol, int bOff, int bSn, int bSg, int bRow, int bCol, int cOff, int cSn, int cSg, int cRow, bool accumulate) =>
        new()
        {
            M = m, N = n, K = k, Batch = images * groups,
            BatchShape = LaunchLayout.Dims([images, groups]),
            ABatch = LaunchLayout.Strides(aOff, [aSn, aSg]),
            BBatch = LaunchLayout.Strides(bOff, [bSn, bSg]),
            CBatch = LaunchLayout.Strides(cOff, [cSn, cSg]),
            ARow = aRow, ACol = aCol, BRow = bRow, BCol = bCol, CRow = cRow, Accumulate = accumulate ? 1 : 0,
        };

    private void Im2Col<T, O>(int total, ConvGeom g, ColLayout cl, ArrayView<T> x, ArrayView<T> col) where T : unmanaged where O : struct, INum<T>
    {
        var k = Cache.Get<Action<AcceleratorStream, KernelConfig, int, ConvGeom, ColLayout, ArrayView<T>, ArrayView<T>>>(
            (Action<int, ConvGeom, ColLayout, ArrayView<T>, ArrayView<T>>)ConvKernels.Im2Col<T, O>);
        Run(() => k(_stream, Linear(total), total, g, cl, x, col));
    }

    public void Conv2d(in TensorView x, in TensorView w, in TensorView? bias, in TensorView y, in Conv2dParams p)
    {
        CheckSameDType("conv2d", x, w, y);
        var g = Geometry(x, w, y, p);
        var (xv, wv, yv) = (x, w, y);
        Floating(x.DType, "conv2d", () => ConvT<float, F32>(xv, wv, yv, g), () => ConvT<double, F64>(xv, wv, yv, g));
        if (bias is { } b)
        {
            // y += bias over [N, OC, OH * OW]
            var y3 = new TensorView(y.Storage, y.Offset, [g.N, g.OC, g.OH * g.OW], [g.OC * g.OH * g.OW, g.OH * g.OW, 1]);
            var b3 = new TensorView(b.Storage, b.Offset, [g.N, g.OC, g.OH * g.OW], [0, b.Strides[0], 0]);
            Binary(BinaryOp.Add, y3, b3, y3);
        }
    }

    private void ConvT<T, O>(TensorView x, TensorView w, TensorView y, ConvGeom g) where T : unmanaged where O : struct, INum<T>
    {
        int P = g.OH * g.OW, K = g.Cg * g.KH * g.KW, OCg = g.OC / g.G, chw = g.C * g.H * g.W;
        int chunk = ChunkImages(g);
        bool pointwise = IsPointwise(g);
        Storage? col = pointwise ? null : Allocate(x.DType, chunk * g.G * K * P);
        try
        {
            for (int n0 = 0; n0 < g.N; n0 += chunk)
            {
                int cnt = Math.Min(chunk, g.N - n0);
                var gc = g with { N = cnt };
                GemmArgs args;
                ArrayView<T> bView;
                if (pointwise)
                {
                    args = BatchedGemm(OCg, P, K, cnt, g.G, w.Offset, 0, OCg * K, K, 1,
                        x.Offset + n0 * chw, chw, g.Cg * P, P, 1, y.Offset + n0 * g.OC * P, g.OC * P, OCg * P, P, false);
                    bView = V<T>(x);
                }
                else
                {
                    var cl = new ColLayout { SN = g.G * K * P, SG = K * P, SK = P, SP = 1 };
                    Im2Col<T, O>(cnt * g.G * K * P, gc, cl, V<T>(x).SubView(x.Offset + n0 * chw, cnt * chw), Dev(col!).View<T>());
                    args = BatchedGemm(OCg, P, K, cnt, g.G, w.Offset, 0, OCg * K, K, 1,
                        0, g.G * K * P, K * P, P, 1, y.Offset + n0 * g.OC * P, g.OC * P, OCg * P, P, false);
                    bView = Dev(col!).View<T>();
                }
                Gemm<T, O>(args, V<T>(w), bView, V<T>(y));
            }
        }
        finally { if (col is not null) Free(col); }
    }

    public void Conv2dBackwardInput(in TensorView gy, in TensorView w, in TensorView dx, in Conv2dParams p)
    {
        CheckSameDType("conv2d backward", gy, w, dx);
        var g = Geometry(dx, w, gy, p);
        var (gv, wv, dv) = (gy, w, dx);
        Floating(dx.DType, "conv2d backward", () => ConvBackInT<float, F32>(gv, wv, dv, g), () => ConvBackInT<double, F64>(gv, wv, dv, g));
    }

    private void ConvBackInT<T, O>(TensorView gy, TensorView w, TensorView dx, ConvGeom g) where T : unmanaged where O : struct, INum<T>
    {
        int P = g.OH * g.OW, K = g.Cg * g.KH * g.KW, OCg = g.OC / g.G, chw = g.C * g.H * g.W;
        int chunk = ChunkImages(g);
        bool pointwise = IsPointwise(g);
        Storage? col = pointwise ? null : Allocate(dx.DType, chunk * g.G * K * P);
        try
        {
            for (int n0 = 0; n0 < g.N; n0 += chunk)
            {
                int cnt = Math.Min(chunk, g.N - n0);
                // dcol[n, g] = W_g^T [K, OCg] @ gy[n, g] [OCg, P]; W_g^T has row stride 1 and column stride K.
                int gyOff = gy.Offset + n0 * g.OC * P;
                if (pointwise)
                {
                    var args = BatchedGemm(K, P, OCg, cnt, g.G, w.Offset, 0, OCg * K, 1, K,
                        gyOff, g.OC * P, OCg * P, P, 1, dx.Offset + n0 * chw, chw, g.Cg * P, P, false);
                    Gemm<T, O>(args, V<T>(w), V<T>(gy), V<T>(dx));
                    continue;
                }
                var cl = new ColLayout { SN = g.G * K * P, SG = K * P, SK = P, SP = 1 };
                var colArgs = BatchedGemm(K, P, OCg, cnt, g.G, w.Offset, 0, OCg * K, 1, K,
                    gyOff, g.OC * P, OCg * P, P, 1, 0, g.G * K * P, K * P, P, false);
                Gemm<T, O>(colArgs, V<T>(w), V<T>(gy), Dev(col!).View<T>());
                int total = cnt * chw;
                var gc = g with { N = cnt };
                var k = Cache.Get<Action<AcceleratorStream, KernelConfig, int, ConvGeom, ColLayout, ArrayView<T>, ArrayView<T>>>(
                    (Action<int, ConvGeom, ColLayout, ArrayView<T>, ArrayView<T>>)ConvKernels.Col2Im<T, O>);
                var colView = Dev(col!).View<T>();
                var dxView = V<T>(dx).SubView(dx.Offset + n0 * chw, total);
                Run(() => k(_stream, Linear(total), total, gc, cl, colView, dxView));
            }
        }
        finally { if (col is not null) Free(col); }
    }

    public void Conv2dBackwardWeight(in TensorView x, in TensorView gy, in TensorView dw, in Conv2dParams p)
    {
        CheckSameDType("conv2d weight gradient", x, gy, dw);
        var g = Geometry(x, dw, gy, p);
        var (xv, gv, dv) = (x, gy, dw);
        Floating(x.DType, "conv2d weight gradient", () => ConvBackWT<float, F32>(xv, gv, dv, g), () => ConvBackWT<double, F64>(xv, gv, dv, g));
    }

    private void ConvBackWT<T, O>(TensorView x, TensorView gy, TensorView dw, ConvGeom g) where T : unmanaged where O : struct, INum<T>
    {
        int P = g.OH * g.OW, K = g.Cg * g.KH * g.KW, OCg = g.OC / g.G, chw = g.C * g.H * g.W;
        if (g.N == 0) { Fill(dw, 0); return; }
        int chunk = ChunkImages(g);
        var col = Allocate(x.DType, chunk * g.G * K * P);
        var gyp = Allocate(x.DType, chunk * g.OC * P);
        try
        {
            for (int n0 = 0; n0 < g.N; n0 += chunk)
            {
                int cnt = Math.Min(chunk, g.N - n0), q = cnt * P;
                // Columns as [g, k, n, p]: per group a K x (cnt * P) matrix.
                var cl = new ColLayout { SG = K * q, SK = q, SN = P, SP = 1 };
                Im2Col<T, O>(cnt * g.G * K * P, g with { N = cnt }, cl, V<T>(x).SubView(x.Offset + n0 * chw, cnt * chw), Dev(col).View<T>());
                // gy chunk permuted to [g, oc, n, p]: per group an OCg x (cnt * P) matrix.
                var gySrc = new TensorView(gy.Storage, gy.Offset + n0 * g.OC * P, [g.G, OCg, cnt, P], [OCg * P, P, g.OC * P, 1]);
                Copy(gySrc, TensorView.Contiguous(gyp, [g.G, OCg, cnt, P]));
                // dW_g [OCg, K] (+)= gyp_g [OCg, q] @ col_g^T [q, K]; col_g^T has row stride 1 and column stride q.
                var args = BatchedGemm(OCg, K, q, 1, g.G, 0, 0, OCg * q, q, 1, 0, 0, K * q, 1, q, dw.Offset, 0, OCg * K, K, n0 > 0);
                Gemm<T, O>(args, Dev(gyp).View<T>(), Dev(col).View<T>(), V<T>(dw));
            }
        }
        finally
        {
            Free(col);
            Free(gyp);
        }
    }
}
