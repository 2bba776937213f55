using System.Numerics;
using System.Numerics.Tensors;

namespace Lfm2Vl.Engine.Backends.Cpu;

// Fused LayerNorm rows: statistics and normalization in one pass over each row (forward), and the input gradient
// from two row sums (backward), rows split across threads (ForRows, shared with softmax). The composed default in IBackend is the reference.
public sealed partial class CpuBackend
{
    public void LayerNorm(in TensorView x, in TensorView y, in TensorView mean, in TensorView rstd, double eps)
    {
        CheckRows("layernorm", x, y, mean, rstd);
        var xv = x; var yv = y; var mv = mean; var sv = rstd;
        Floating(x.DType, "layernorm", _ => LayerNormT<float>(xv, yv, mv, sv, eps), _ => LayerNormT<double>(xv, yv, mv, sv, eps));
    }

    public void LayerNormBackward(in TensorView x, in TensorView mean, in TensorView rstd, in TensorView gy, in TensorView dx)
    {
        CheckRows("layernorm backward", x, dx, mean, rstd);
        if (!gy.IsContiguous || !gy.Shape.SequenceEqual(x.Shape)) throw new ArgumentException("LayerNormBackward: gy must be contiguous and shaped like x.");
        var xv = x; var mv = mean; var sv = rstd; var gv = gy; var dv = dx;
        Floating(x.DType, "layernorm backward", _ => LayerNormBackwardT<float>(xv, mv, sv, gv, dv), _ => LayerNormBackwardT<double>(xv, mv, sv, gv, dv));
    }

    private static void CheckRows(string what, in TensorView x, in TensorView y, in TensorView mean, in TensorView rstd)
    {
        CheckSameDType(what, x, y);
        CheckSameDType(what, x, mean, rstd);
        if (x.Rank != 2 || !x.IsContiguous || !y.IsContiguous || !y.Shape.SequenceEqual(x.Shape)
            || mean.Rank != 1 || rstd.Rank != 1 || !mean.IsContiguous || !rstd.IsContiguous || mean.Shape[0] != x.Shape[0] || rstd.Shape[0] != x.Shape[0])
            throw new ArgumentException($"{what}: x and y must be contiguous [R, D] and the statistics contiguous [R].");
    }

    private static void LayerNormT<T>(TensorView x, TensorView y, TensorView mean, TensorView rstd, double eps) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] xs = Arr<T>(x), ys = Arr<T>(y), ms = Arr<T>(mean), ss = Arr<T>(rstd);
        int r = x.Shape[0], d = x.Shape[1];
        T invD = T.One / T.CreateTruncating(d), e = T.CreateTruncating(eps);
        ForRows(r, d, i =>
        {
            var xr = new ReadOnlySpan<T>(xs, x.Offset + i * d, d);
            var yr = new Span<T>(ys, y.Offset + i * d, d);
            T mu = TensorPrimitives.Sum(xr) * invD;
            TensorPrimitives.Subtract(xr, mu, yr);
            T inv = T.One / T.Sqrt(TensorPrimitives.SumOfSquares<T>(yr) * invD + e);
            TensorPrimitives.Multiply(yr, inv, yr);
            ms[mean.Offset + i] = mu;
            ss[rstd.Offset + i] = inv;
        });
    }

    private static void LayerNormBackwardT<T>(TensorView x, TensorView mean, TensorView rstd, TensorView gy, TensorView dx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] xs = Arr<T>(x), ms = Arr<T>(mean), ss = Arr<T>(rstd), gs = Arr<T>(gy), ds = Arr<T>(dx);
        int r = x.Shape[0], d = x.Shape[1];
        T invD = T.One / T.CreateTruncating(d);
        ForRows(r, d, i =>
        {
            var xr = new ReadOnlySpan<T>(xs, x.Offset + i * d, d);
            var gr = new ReadOnlySpan<T>(gs, gy.Offset + i * d, d);
            var dr = new Span<T>(ds, dx.Offset + i * d, d);
            T mu = ms[mean.Offset + i], inv = ss[rstd.Offset + i];
            // dr holds xhat first, then the gradient: dx = inv * (g - mean(g) - xhat * mean(g * xhat)).
            TensorPrimitives.Subtract(xr, mu, dr);
            TensorPrimitives.Multiply(dr, inv, dr);
            T mg = TensorPrimitives.Sum(gr) * invD;
            T mgx = TensorPrimitives.Dot(gr, (ReadOnlySpan<T>)dr) * invD;
            TensorPrimitives.Multiply(dr, -mgx, dr);
            TensorPrimitives.Add(dr, gr, dr);
            TensorPrimitives.Subtract(dr, mg, dr);
            TensorPrimitives.Multiply(dr, inv, dr);
        });
    }
}
