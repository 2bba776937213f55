using System.Numerics;
using System.Numerics.Tensors;

namespace Lfm2Vl.Engine.Backends.Cpu;

public sealed partial class CpuBackend
{
    public void Unary(UnaryOp op, in TensorView x, in TensorView dst, double alpha = 0, double beta = 0)
    {
        CheckSameDType($"unary {op}", x, dst);
        var xv = x; var dv = dst;
        Floating(x.DType, $"unary {op}",
            _ => UnaryT<float>(op, xv, dv, (float)alpha, (float)beta),
            _ => UnaryT<double>(op, xv, dv, alpha, beta));
    }

    /// <summary>Ops whose vectorized rows cost well under a nanosecond per element (see StridedLoop.CheapParallelThreshold).</summary>
    private static bool IsCheap(UnaryOp op) => op is UnaryOp.Identity or UnaryOp.Neg or UnaryOp.Abs or UnaryOp.Square
        or UnaryOp.AddScalar or UnaryOp.MulScalar or UnaryOp.Clamp or UnaryOp.Relu;

    private static bool IsCheap(BinaryOp op) => op is BinaryOp.Add or BinaryOp.Sub or BinaryOp.Mul or BinaryOp.Div;

    private static void UnaryT<T>(UnaryOp op, TensorView x, TensorView dst, T a, T b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] xs = Arr<T>(x), ds = Arr<T>(dst);
        var loop = new StridedLoop(dst.Shape, [x, dst]);
        int sx = loop.InnerStrides[0], sd = loop.InnerStrides[1];
        loop.Run((o, n) =>
        {
            if (sx == 1 && sd == 1 && UnaryRow(op, xs.AsSpan(o[0], n), ds.AsSpan(o[1], n), a, b)) return;
            for (int i = 0; i < n; i++) ds[o[1] + i * sd] = ScalarMath.Unary(op, xs[o[0] + i * sx], a, b);
        }, loop.ThresholdFor(IsCheap(op)));
    }

    /// <summary>Vectorized contiguous rows; false when the op has no vector form (the caller loops).</summary>
    private static bool UnaryRow<T>(UnaryOp op, ReadOnlySpan<T> x, Span<T> y, T a, T b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case UnaryOp.Identity: x.CopyTo(y); return true;
            case UnaryOp.Neg: TensorPrimitives.Negate(x, y); return true;
            case UnaryOp.Exp: TensorPrimitives.Exp(x, y); return true;
            case UnaryOp.Log: TensorPrimitives.Log(x, y); return true;
            case UnaryOp.Sqrt: TensorPrimitives.Sqrt(x, y); return true;
            case UnaryOp.Rsqrt: TensorPrimitives.Sqrt(x, y); TensorPrimitives.Reciprocal(y, y); return true;
            case UnaryOp.Abs: TensorPrimitives.Abs(x, y); return true;
            case UnaryOp.Square: TensorPrimitives.Multiply(x, x, y); return true;
            case UnaryOp.Reciprocal: TensorPrimitives.Reciprocal(x, y); return true;
            case UnaryOp.AddScalar: TensorPrimitives.Add(x, a, y); return true;
            case UnaryOp.MulScalar: TensorPrimitives.Multiply(x, a, y); return true;
            case UnaryOp.Clamp: TensorPrimitives.Max(x, a, y); TensorPrimitives.Min(y, b, y); return true;
            case UnaryOp.Relu: TensorPrimitives.Max(x, T.Zero, y); return true;
            // No vector Tanh: TensorPrimitives.Tanh loses relative accuracy near 0 (float32 tanh(1e-5) is 0.4% off,
            // tanh(1e-20) gets the wrong sign; float64 is off by ~1e4 ulp), so it falls back to the scalar T.Tanh loop.
            case UnaryOp.Sigmoid: TensorPrimitives.Sigmoid(x, y); return true;
            case UnaryOp.GeluErf when typeof(T) == typeof(float): GeluRows.Forward(GeluRows.F(x), GeluRows.F(y)); return true;
            default: return false;
        }
    }

    public void Binary(BinaryOp op, in TensorView a, in TensorView b, in TensorView dst, double alpha = 0, double beta = 0)
    {
        CheckSameDType($"binary {op}", a, b, dst);
        var av = a.BroadcastTo(dst.Shape); var bv = b.BroadcastTo(dst.Shape); var dv = dst;
        Floating(a.DType, $"binary {op}",
            _ => BinaryT<float>(op, av, bv, dv, (float)alpha, (float)beta),
            _ => BinaryT<double>(op, av, bv, dv, alpha, beta));
    }

    private static void BinaryT<T>(BinaryOp op, TensorView a, TensorView b, TensorView dst, T p, T q) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] xs = Arr<T>(a), ys = Arr<T>(b), ds = Arr<T>(dst);
        var loop = new StridedLoop(dst.Shape, [a, b, dst]);
        int sa = loop.InnerStrides[0], sb = loop.InnerStrides[1], sd = loop.InnerStrides[2];
        loop.Run((o, n) =>
        {
            if (sd == 1)
            {
                var d = ds.AsSpan(o[2], n);
                if (sa == 1 && sb == 1 && BinaryRow(op, xs.AsSpan(o[0], n), ys.AsSpan(o[1], n), d)) return;
                if (sa == 1 && sb == 0 && BinaryRowScalar(op, xs.AsSpan(o[0], n), ys[o[1]], d, scalarOnRight: true)) return;
                if (sa == 0 && sb == 1 && BinaryRowScalar(op, ys.AsSpan(o[1], n), xs[o[0]], d, scalarOnRight: false)) return;
            }
            for (int i = 0; i < n; i++)
                ds[o[2] + i * sd] = ScalarMath.Binary(op, xs[o[0] + i * sa], ys[o[1] + i * sb], p, q);
        }, loop.ThresholdFor(IsCheap(op)));
    }

    private static bool BinaryRow<T>(BinaryOp op, ReadOnlySpan<T> x, ReadOnlySpan<T> y, Span<T> d) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(x, y, d); return true;
            case BinaryOp.Sub: TensorPrimitives.Subtract(x, y, d); return true;
            case BinaryOp.Mul: TensorPrimitives.Multiply(x, y, d); return true;
            case BinaryOp.Div: TensorPrimitives.Divide(x, y, d); return true;
            case BinaryOp.GeluErfGrad when typeof(T) == typeof(float): GeluRows.Backward(GeluRows.F(x), GeluRows.F(y), GeluRows.F(d)); return true;
            default: return false;
        }
    }

    /// <summary>Rows where one operand is a broadcast scalar: v op s (scalarOnRight) or s op v.</summary>
    private static bool BinaryRowScalar<T>(BinaryOp op, ReadOnlySpan<T> v, T s, Span<T> d, bool scalarOnRight) where T : unmanaged, IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case BinaryOp.Add: TensorPrimitives.Add(v, s, d); return true;
            case BinaryOp.Mul: TensorPrimitives.Multiply(v, s, d); return true;
            case BinaryOp.Sub:
                if (scalarOnRight) TensorPrimitives.Subtract(v, s, d); else TensorPrimitives.Subtract(s, v, d);
                return true;
            case BinaryOp.Div:
                if (scalarOnRight) TensorPrimitives.Divide(v, s, d); else TensorPrimitives.Divide(s, v, d);
                return true;
            default: return false;
        }
    }

    public void Where(in TensorView cond, in TensorView a, in TensorView b, in TensorView dst)
    {
        CheckSameDType("where", a, b, dst);
        var c = cond.BroadcastTo(dst.Shape); var av = a.BroadcastTo(dst.Shape); var bv = b.BroadcastTo(dst.Shape); var dv = dst;
        var cs = Cpu(c.Storage);
        Func<int, bool> truth = cs.Data switch
        {
            float[] f => i => f[i] != 0,
            double[] g => i => g[i] != 0,
            int[] k => i => k[i] != 0,
            _ => throw new NotSupportedException(),
        };
        switch (dst.DType)
        {
            case DType.Float32: WhereT<float>(truth, c, av, bv, dv); break;
            case DType.Float64: WhereT<double>(truth, c, av, bv, dv); break;
            case DType.Int32: WhereT<int>(truth, c, av, bv, dv); break;
        }
    }

    private static void WhereT<T>(Func<int, bool> truth, TensorView c, TensorView a, TensorView b, TensorView dst) where T : unmanaged
    {
        T[] xs = Arr<T>(a), ys = Arr<T>(b), ds = Arr<T>(dst);
        var loop = new StridedLoop(dst.Shape, [c, a, b, dst]);
        var st = loop.InnerStrides;
        loop.Run((o, n) =>
        {
            for (int i = 0; i < n; i++)
                ds[o[3] + i * st[3]] = truth(o[0] + i * st[0]) ? xs[o[1] + i * st[1]] : ys[o[2] + i * st[2]];
        });
    }
}
