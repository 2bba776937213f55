using System.Numerics;
using System.Numerics.Tensors;

namespace Lfm2Vl.Engine.Backends.Cpu;

public sealed partial class CpuBackend
{
    public void Softmax(in TensorView x, in TensorView dst, bool log)
    {
        CheckSameDType("softmax", x, dst);
        var xv = RowsContiguous(x); var dv = dst;
        try { Floating(x.DType, "softmax", _ => SoftmaxT<float>(xv, dv, log), _ => SoftmaxT<double>(xv, dv, log)); }
        finally { if (!ReferenceEquals(xv.Storage, x.Storage)) Free(xv.Storage); }
    }

    /// <summary>The view itself if its last axis is unit-stride and rows are dense, else a contiguous copy.</summary>
    private TensorView RowsContiguous(in TensorView v)
    {
        if (v.IsContiguous) return v;
        var s = Allocate(v.DType, v.Numel);
        var c = TensorView.Contiguous(s, v.Shape);
        Copy(v, c);
        return c;
    }

    private static void SoftmaxT<T>(TensorView x, TensorView dst, bool log) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!dst.IsContiguous) throw new ArgumentException("Softmax: destination must be contiguous.");
        T[] xs = Arr<T>(x), ds = Arr<T>(dst);
        int len = x.Shape[^1];
        if (len == 0) return;
        int rows = x.Numel / len;
        ForRows(rows, len, row =>
        {
            var src = new ReadOnlySpan<T>(xs, x.Offset + row * len, len);
            var d = new Span<T>(ds, dst.Offset + row * len, len);
            T max = TensorPrimitives.Max(src);
            if (T.IsInfinity(max) && max < T.Zero) max = T.Zero; // a row of -inf: avoid inf - inf
            TensorPrimitives.Subtract(src, max, d);
            if (log)
            {
                // log_softmax = (x - max) - log(sum(exp(x - max)))
                T sum = T.Zero;
                for (int i = 0; i < len; i++) sum += T.Exp(d[i]);
                TensorPrimitives.Subtract(d, T.Log(sum), d);
            }
            else
            {
                TensorPrimitives.Exp(d, d);
                T sum = TensorPrimitives.Sum(d);
                TensorPrimitives.Divide(d, sum, d);
            }
        });
    }

    public void SoftmaxBackward(in TensorView y, in TensorView gy, in TensorView dst, bool log)
    {
        CheckSameDType("softmax backward", y, gy, dst);
        var yv = RowsContiguous(y); var gv = RowsContiguous(gy); var dv = dst;
        try { Floating(y.DType, "softmax backward", _ => SoftmaxBackT<float>(yv, gv, dv, log), _ => SoftmaxBackT<double>(yv, gv, dv, log)); }
        finally
        {
            if (!ReferenceEquals(yv.Storage, y.Storage)) Free(yv.Storage);
            if (!ReferenceEquals(gv.Storage, gy.Storage)) Free(gv.Storage);
        }
    }

    private static void SoftmaxBackT<T>(TensorView y, TensorView gy, TensorView dst, bool log) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!dst.IsContiguous) throw new ArgumentException("Softmax backward: destination must be contiguous.");
        T[] ys = Arr<T>(y), gs = Arr<T>(gy), ds = Arr<T>(dst);
        int len = y.Shape[^1];
        if (len == 0) return;
        int rows = y.Numel / len;
        ForRows(rows, len, row =>
        {
            var yr = new ReadOnlySpan<T>(ys, y.Offset + row * len, len);
            var gr = new ReadOnlySpan<T>(gs, gy.Offset + row * len, len);
            var d = new Span<T>(ds, dst.Offset + row * len, len);
            if (log)
            {
                // dx = g - softmax * sum(g), softmax = exp(y)
                T sum = TensorPrimitives.Sum(gr);
                TensorPrimitives.Exp(yr, d);
                TensorPrimitives.Multiply(d, sum, d);
                TensorPrimitives.Subtract(gr, d, d);
            }
            else
            {
                // dx = y * (g - sum(g * y))
                T dot = TensorPrimitives.Dot(gr, yr);
                TensorPrimitives.Subtract(gr, dot, d);
                TensorPrimitives.Multiply(d, yr, d);
            }
        });
    }

    private static void ForRows(int rows, int len, Action<int> row)
    {
        if ((long)rows * len < 1 << 15 || rows == 1) { for (int r = 0; r < rows; r++) row(r); return; }
        Parallel.For(0, rows, row);
    }
}
