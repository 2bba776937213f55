namespace Lfm2Vl.Engine;

public static partial class Functional
{
    private static Tensor Contig(Tensor t, out Tensor? owned)
    {
        owned = t.IsContiguous ? null : t.ContiguousCopy();
        return owned ?? t;
    }

    private static void CheckNchw(string op, Tensor x)
    {
        if (x.Rank != 4) throw new ArgumentException($"{op} expects NCHW input, got shape {ShapeUtil.Format(x.Dims)}.");
    }

    /// <summary>Max pooling; the argmax indices are kept for backward.</summary>
    public static Tensor MaxPool2d(Tensor x, int kernel, int? stride = null, int padding = 0, bool ceilMode = false)
    {
        CheckNchw("MaxPool2d", x);
        int s = stride ?? kernel;
        if (padding * 2 > kernel) throw new ArgumentException($"MaxPool2d: padding ({padding}) must be at most half the kernel ({kernel}).");
        var p = new Pool2dParams(kernel, kernel, s, s, padding, padding, ceilMode);
        int oh = p.OutH(x.Dims[2]), ow = p.OutW(x.Dims[3]);
        if (oh <= 0 || ow <= 0) throw new ArgumentException($"MaxPool2d: kernel {kernel} does not fit a {x.Dims[2]}x{x.Dims[3]} input.");
        var xin = Contig(x, out var owned);
        using var _ = owned;
        int[] outShape = [x.Dims[0], x.Dims[1], oh, ow];
        var y = x.NewEmpty(outShape);
        var idx = x.NewEmpty(outShape, DType.Int32);
        x.Backend.MaxPool2d(xin.View, y.View, idx.View, p);
        var xShape = x.Shape;
        return Tensor.Record(y, "MaxPool2d", [x], [idx], (g, sv) =>
        {
            var gy = Contig(g, out var gOwned);
            using var __ = gOwned;
            var dx = g.NewEmpty(xShape);
            g.Backend.MaxPool2dBackward(gy.View, sv[0].View, dx.View);
            return [dx];
        });
    }

    /// <summary>Average pooling (PyTorch's divisor rules for padding).</summary>
    public static Tensor AvgPool2d(Tensor x, int kernel, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true)
    {
        CheckNchw("AvgPool2d", x);
        int s = stride ?? kernel;
        if (padding * 2 > kernel) throw new ArgumentException($"AvgPool2d: padding ({padding}) must be at most half the kernel ({kernel}).");
        var p = new Pool2dParams(kernel, kernel, s, s, padding, padding, ceilMode, countIncludePad);
        int oh = p.OutH(x.Dims[2]), ow = p.OutW(x.Dims[3]);
        if (oh <= 0 || ow <= 0) throw new ArgumentException($"AvgPool2d: kernel {kernel} does not fit a {x.Dims[2]}x{x.Dims[3]} input.");
        var xin = Contig(x, out var owned);
        using var _ = owned;
        var y = x.NewEmpty([x.Dims[0], x.Dims[1], oh, ow]);
        x.Backend.AvgPool2d(xin.View, y.View, p);
        var xShape = x.Shape;
        return Tensor.Record(y, "AvgPool2d", [x], [], (g, _) =>
        {
            var gy = Contig(g, out var gOwned);
            using var __ = gOwned;
            var dx = g.NewEmpty(xShape);
            g.Backend.AvgPool2dBackward(gy.View, dx.View, p);
            return [dx];
        });
    }

    /// <summary>Mean over the spatial dimensions: [N, C, H, W] -> [N, C].</summary>
    public static Tensor GlobalAvgPool2d(Tensor x)
    {
        CheckNchw("GlobalAvgPool2d", x);
        return x.Mean([2, 3]);
    }

    /// <summary>
    /// Adaptive average pooling to [outH, outW] (torch's windows: floor(i*H/out) .. ceil((i+1)*H/out)). The
    /// window average is separable, so it is two small matrix products and differentiates through them.
    /// </summary>
    public static Tensor AdaptiveAvgPool2d(Tensor x, int outH, int outW)
    {
        CheckNchw("AdaptiveAvgPool2d", x);
        if (outH == 1 && outW == 1) return x.Mean([2, 3], keepDim: true);
        var rows = AveragingMatrix(outH, x.Dims[2], x);
        var cols = AveragingMatrix(outW, x.Dims[3], x);
        return Tensor.MatMul(Tensor.MatMul(rows, x), cols.T);
    }

    private static Tensor AveragingMatrix(int outN, int inN, Tensor like)
    {
        var m = new double[outN * inN];
        for (int i = 0; i < outN; i++)
        {
            int start = i * inN / outN, end = ((i + 1) * inN + outN - 1) / outN;
            for (int j = start; j < end; j++) m[i * inN + j] = 1.0 / (end - start);
        }
        return Tensor.FromDoubles(m, [outN, inN], like.DType, like.Device);
    }

    public enum InterpolationMode { Nearest, Bilinear }

    /// <summary>
    /// Resizes the spatial dimensions of NCHW input (nearest, or bilinear with align_corners as in PyTorch).
    /// Both are separable linear maps, applied as two matrix products, so gradients come for free.
    /// </summary>
    public static Tensor Interpolate(Tensor x, int outH, int outW, InterpolationMode mode = InterpolationMode.Bilinear, bool alignCorners = false)
    {
        CheckNchw("Interpolate", x);
        var rows = InterpolationMatrix(outH, x.Dims[2], mode, alignCorners, x);
        var cols = InterpolationMatrix(outW, x.Dims[3], mode, alignCorners, x);
        return Tensor.MatMul(Tensor.MatMul(rows, x), cols.T);
    }

    private static Tensor InterpolationMatrix(int outN, int inN, InterpolationMode mode, bool alignCorners, Tensor like)
    {
        var m = new double[outN * inN];
        double scale = (double)inN / outN;
        for (int i = 0; i < outN; i++)
        {
            if (mode == InterpolationMode.Nearest)
            {
                m[i * inN + Math.Min((int)Math.Floor(i * scale), inN - 1)] = 1;
                continue;
            }
            double src = alignCorners
                ? (outN > 1 ? i * (inN - 1.0) / (outN - 1) : 0)
                : Math.Max((i + 0.5) * scale - 0.5, 0);
            int i0 = Math.Min((int)Math.Floor(src), inN - 1);
            int i1 = Math.Min(i0 + 1, inN - 1);
            double l1 = src - i0, l0 = 1 - l1;
            m[i * inN + i0] += l0;
            m[i * inN + i1] += l1;
        }
        return Tensor.FromDoubles(m, [outN, inN], like.DType, like.Device);
    }
}
