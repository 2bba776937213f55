namespace Lfm2Vl.Engine;

// Row normalization used by LayerNorm. The defaults compose the element-wise and reduction primitives, so a
// backend without a fused kernel (ILGPU) works unchanged; the CPU backend overrides both with one pass per row.
public partial interface IBackend
{
    /// <summary>
    /// y = (x - mean) * rstd per row of contiguous x, y [R, D]; mean and rstd [R] receive each row's mean and
    /// 1 / sqrt(biased variance + eps) for the backward.
    /// </summary>
    void LayerNorm(in TensorView x, in TensorView y, in TensorView mean, in TensorView rstd, double eps)
        => ComposedLayerNorm.Forward(this, x, y, mean, rstd, eps);

    /// <summary>
    /// dx = rstd * (gy - mean(gy) - xhat * mean(gy * xhat)) per row, xhat recomputed from x, mean and rstd; all
    /// of x, gy, dx contiguous [R, D].
    /// </summary>
    void LayerNormBackward(in TensorView x, in TensorView mean, in TensorView rstd, in TensorView gy, in TensorView dx)
        => ComposedLayerNorm.Backward(this, x, mean, rstd, gy, dx);
}

/// <summary>IBackend's default LayerNorm rows, composed of its element-wise and reduction primitives.</summary>
internal static class ComposedLayerNorm
{
    public static void Forward(IBackend be, in TensorView x, in TensorView y, in TensorView mean, in TensorView rstd, double eps)
    {
        int r = x.Shape[0], d = x.Shape[1];
        var full = new[] { r, d };
        var m = Column(mean, r); var s = Column(rstd, r);
        be.Reduce(ReduceOp.Sum, x, m);
        be.Unary(UnaryOp.MulScalar, m, m, 1.0 / d);
        be.Binary(BinaryOp.Sub, x, m.BroadcastTo(full), y);
        var sq = be.Allocate(x.DType, r * d);
        try
        {
            var sqv = TensorView.Contiguous(sq, full);
            be.Unary(UnaryOp.Square, y, sqv);
            be.Reduce(ReduceOp.Sum, sqv, s);
        }
        finally { be.Free(sq); }
        be.Unary(UnaryOp.MulScalar, s, s, 1.0 / d);
        be.Unary(UnaryOp.AddScalar, s, s, eps);
        be.Unary(UnaryOp.Rsqrt, s, s);
        be.Binary(BinaryOp.Mul, y, s.BroadcastTo(full), y);
    }

    public static void Backward(IBackend be, in TensorView x, in TensorView mean, in TensorView rstd, in TensorView gy, in TensorView dx)
    {
        int r = x.Shape[0], d = x.Shape[1];
        var full = new[] { r, d };
        var m = Column(mean, r).BroadcastTo(full); var s = Column(rstd, r).BroadcastTo(full);
        var xhatS = be.Allocate(x.DType, r * d); var tmpS = be.Allocate(x.DType, r * d); var statS = be.Allocate(x.DType, 2 * r);
        try
        {
            var xhat = TensorView.Contiguous(xhatS, full); var tmp = TensorView.Contiguous(tmpS, full);
            var mg = new TensorView(statS, 0, [r, 1], [1, 1]); var mgx = new TensorView(statS, r, [r, 1], [1, 1]);
            be.Binary(BinaryOp.Sub, x, m, xhat);
            be.Binary(BinaryOp.Mul, xhat, s, xhat);
            be.Reduce(ReduceOp.Sum, gy, mg);
            be.Unary(UnaryOp.MulScalar, mg, mg, 1.0 / d);
            be.Binary(BinaryOp.Mul, gy, xhat, tmp);
            be.Reduce(ReduceOp.Sum, tmp, mgx);
            be.Unary(UnaryOp.MulScalar, mgx, mgx, 1.0 / d);
            be.Binary(BinaryOp.Sub, gy, mg.BroadcastTo(full), dx);
            be.Binary(BinaryOp.Mul, xhat, mgx.BroadcastTo(full), tmp);
            be.Binary(BinaryOp.Sub, dx, tmp, dx);
            be.Binary(BinaryOp.Mul, dx, s, dx);
        }
        finally { be.Free(xhatS); be.Free(tmpS); be.Free(statS); }
    }

    /// <summary>A [R] vector seen as an [R, 1] column.</summary>
    private static TensorView Column(in TensorView v, int r) => new(v.Storage, v.Offset, [r, 1], [v.Strides[0], 1]);
}
