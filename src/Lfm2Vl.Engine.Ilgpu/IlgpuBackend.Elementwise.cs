using ILGPU;
using ILGPU.Runtime;
using Lfm2Vl.Kernels;

namespace Lfm2Vl.Engine.Ilgpu;

public sealed partial class IlgpuBackend
{
    private static int Code(UnaryOp op) => op switch
    {
        UnaryOp.Identity => UnaryCode.Identity, UnaryOp.Neg => UnaryCode.Neg, UnaryOp.Exp => UnaryCode.Exp,
        UnaryOp.Log => UnaryCode.Log, UnaryOp.Sqrt => UnaryCode.Sqrt, UnaryOp.Rsqrt => UnaryCode.Rsqrt,
        UnaryOp.Abs => UnaryCode.Abs, UnaryOp.Sign => UnaryCode.Sign, UnaryOp.Square => UnaryCode.Square,
        UnaryOp.Reciprocal => UnaryCode.Reciprocal, UnaryOp.PowScalar => UnaryCode.PowScalar,
        UnaryOp.AddScalar => UnaryCode.AddScalar, UnaryOp.MulScalar => UnaryCode.MulScalar, UnaryOp.Clamp => UnaryCode.Clamp,
        UnaryOp.Relu => UnaryCode.Relu, UnaryOp.LeakyRelu => UnaryCode.LeakyRelu, UnaryOp.Sigmoid => UnaryCode.Sigmoid,
        UnaryOp.Tanh => UnaryCode.Tanh, UnaryOp.GeluTanh => UnaryCode.GeluTanh, UnaryOp.GeluErf => UnaryCode.GeluErf,
        UnaryOp.Silu => UnaryCode.Silu,
        _ => throw new NotSupportedException($"Unary op {op} has no ILGPU kernel."),
    };

    private static int Code(BinaryOp op) => op switch
    {
        BinaryOp.Add => BinaryCode.Add, BinaryOp.Sub => BinaryCode.Sub, BinaryOp.Mul => BinaryCode.Mul, BinaryOp.Div => BinaryCode.Div,
        BinaryOp.Pow => BinaryCode.Pow, BinaryOp.Maximum => BinaryCode.Maximum, BinaryOp.Minimum => BinaryCode.Minimum,
        BinaryOp.Equal => BinaryCode.Equal, BinaryOp.Greater => BinaryCode.Greater, BinaryOp.Less => BinaryCode.Less,
        BinaryOp.ReluGrad => BinaryCode.ReluGrad, BinaryOp.LeakyReluGrad => BinaryCode.LeakyReluGrad,
        BinaryOp.SigmoidGrad => BinaryCode.SigmoidGrad, BinaryOp.TanhGrad => BinaryCode.TanhGrad,
        BinaryOp.GeluTanhGrad => BinaryCode.GeluTanhGrad, BinaryOp.GeluErfGrad => BinaryCode.GeluErfGrad,
        BinaryOp.SiluGrad => BinaryCode.SiluGrad, BinaryOp.ClampGrad => BinaryCode.ClampGrad,
        _ => throw new NotSupportedException($"Binary op {op} has no ILGPU kernel."),
    };

    public void Unary(UnaryOp op, in TensorView x, in TensorView dst, double alpha = 0, double beta = 0)
    {
        CheckSameDType($"unary {op}", x, dst);
        var (xv, dv, code) = (x, dst, Code(op));
        Floating(x.DType, $"unary {op}",
            () => UnaryT<float, F32>(code, xv, dv, (float)alpha, (float)beta),
            () => UnaryT<double, F64>(code, xv, dv, alpha, beta));
    }

    private void UnaryT<T, O>(int code, TensorView x, TensorView dst, T a, T b) where T : unmanaged where O : struct, INum<T>
    {
        int n = dst.Numel;
        if (n == 0) return;
        var (dims, st) = LaunchLayout.Merge(dst.Shape, x, dst);
        var k = Cache.Get<Action<AcceleratorStream, KernelConfig, int, Dims8, Strides8, Strides8, ArrayView<T>, ArrayView<T>, int, T, T>>(
            (Action<int, Dims8, Strides8, Strides8, ArrayView<T>, ArrayView<T>, int, T, T>)ElementwiseKernels.Unary<T, O>);
        Run(() => k(_stream, Linear(n), n, dims, st[0], st[1], V<T>(x), V<T>(dst), code, a, b));
    }

    public void Binary(BinaryOp op, in TensorView a, in TensorView b, in TensorView dst, double alpha = 0, double beta = 0)
    {
        CheckSameDType($"binary {op}", a, b, dst);
        var (av, bv, dv, code) = (a.BroadcastTo(dst.Shape), b.BroadcastTo(dst.Shape), dst, Code(op));
        Floating(a.DType, $"binary {op}",
            () => BinaryT<float, F32>(code, av, bv, dv, (float)alpha, (float)beta),
            () => BinaryT<double, F64>(code, av, bv, dv, alpha, beta));
    }

    private void BinaryT<T, O>(int code, TensorView a, TensorView b, TensorView dst, T p, T q) where T : unmanaged where O : struct, INum<T>
    {
        int n = dst.Numel;
        if (n == 0) return;
        var (dims, st) = LaunchLayout.Merge(dst.Shape, a, b, dst);
        var k = Cache.Get<Action<AcceleratorStream, KernelConfig, int, Dims8, Strides8, Strides8, Strides8, ArrayView<T>, ArrayView<T>, ArrayView<T>, int, T, T>>(
            (Action<int, Dims8, Strides8, Strides8, Strides8, ArrayView<T>, ArrayView<T>, ArrayView<T>, int, T, T>)ElementwiseKernels.Binary<T, O>);
        Run(() => k(_stream, Linear(n), n, dims, st[0], st[1], st[2], V<T>(a), V<T>(b), V<T>(dst), code, p, q));
    }

    public void Where(in TensorView cond, in TensorView a, in TensorView b, in TensorView dst)
    {
        CheckSameDType("where", a, b, dst);
        var (c, av, bv, dv) = (cond.BroadcastTo(dst.Shape), a.BroadcastTo(dst.Shape), b.BroadcastTo(dst.Shape), dst);
        switch (cond.DType)
        {
            case DType.Float32: WhereC<float, F32>(c, av, bv, dv); break;
            case DType.Float64: WhereC<double, F64>(c, av, bv, dv); break;
            default: WhereC<int, I32>(c, av, bv, dv); break;
        }
    }

    private void WhereC<TC, TCO>(TensorView c, TensorView a, TensorView b, TensorView dst) where TC : unmanaged where TCO : struct, IAddable<TC>
    {
        switch (dst.DType)
        {
            case DType.Float32: WhereT<TC, TCO, float>(c, a, b, dst); break;
            case DType.Float64: WhereT<TC, TCO, double>(c, a, b, dst); break;
            default: WhereT<TC, TCO, int>(c, a, b, dst); break;
        }
    }

    private void WhereT<TC, TCO, T>(TensorView c, TensorView a, TensorView b, TensorView dst)
        where TC : unmanaged where TCO : struct, IAddable<TC> where T : unmanaged
    {
        int n = dst.Numel;
        if (n == 0) return;
        var (dims, st) = LaunchLayout.Merge(dst.Shape, c, a, b, dst);
        var k = Cache.Get<Action<AcceleratorStream, KernelConfig, int, Dims8, Strides8, Strides8, Strides8, Strides8, ArrayView<TC>, ArrayView<T>, ArrayView<T>, ArrayView<T>>>(
            (Action<int, Dims8, Strides8, Strides8, Strides8, Strides8, ArrayView<TC>, ArrayView<T>, ArrayView<T>, ArrayView<T>>)ElementwiseKernels.Where<TC, TCO, T>);
        Run(() => k(_stream, Linear(n), n, dims, st[0], st[1], st[2], st[3], V<TC>(c), V<T>(a), V<T>(b), V<T>(dst)));
    }

    public void Copy(in TensorView src, in TensorView dst)
    {
        if (!ShapeUtil.SameShape(src.Shape, dst.Shape))
            throw new ArgumentException($"Copy needs equal shapes, got {ShapeUtil.Format(src.Shape)} and {ShapeUtil.Format(dst.Shape)}.");
        var (s, d) = (src, dst);
        switch (src.DType, dst.DType)
        {
            case (DType.Float32, DType.Float32): CopyT<float>(s, d); break;
            case (DType.Float64, DType.Float64): CopyT<double>(s, d); break;
            case (DType.Int32, DType.Int32): CopyT<int>(s, d); break;
            case (DType.Float32, DType.Float64): ConvertT<float, double, F32ToF64>(s, d); break;
            case (DType.Float64, DType.Float32): ConvertT<double, float, F64ToF32>(s, d); break;
            case (DType.Int32, DType.Float32): ConvertT<int, float, I32ToF32>(s, d); break;
            case (DType.Int32, DType.Float64): ConvertT<int, double, I32ToF64>(s, d); break;
            case (DType.Float32, DType.Int32): ConvertT<float, int, F32ToI32>(s, d); break;
            case (DType.Float64, DType.Int32): ConvertT<double, int, F64ToI32>(s, d); break;
            default: throw new NotSupportedException($"Copy from {src.DType.Name()} to {dst.DType.Name()}.");
        }
    }

    private void CopyT<T>(TensorView src, TensorView dst) where T : unmanaged
    {
        int n = dst.Numel;
        if (n == 0) return;
        var (dims, st) = LaunchLayout.Merge(dst.Shape, src, dst);
        var k = Cache.Get<Action<AcceleratorStream, KernelConfig, int, Dims8, Strides8, Strides8, ArrayView<T>, ArrayView<T>>>(
            (Action<int, Dims8, Strides8, Strides8, ArrayView<T>, ArrayView<T>>)ElementwiseKernels.Copy<T>);
        Run(() => k(_stream, Linear(n), n, dims, st[0], st[1], V<T>(src), V<T>(dst)));
    }

    private void ConvertT<TS, TD, C>(TensorView src, TensorView dst) where TS : unmanaged where TD : unmanaged where C : struct, IConvert<TS, TD>
    {
        int n = dst.Numel;
        if (n == 0) return;
        var (dims, st) = LaunchLayout.Merge(dst.Shape, src, dst);
        var k = Cache.Get<Action<AcceleratorStream, KernelConfig, int, Dims8, Strides8, Strides8, ArrayView<TS>, ArrayView<TD>>>(
            (Action<int, Dims8, Strides8, Strides8, ArrayView<TS>, ArrayView<TD>>)ElementwiseKernels.Convert<TS, TD, C>);
        Run(() => k(_stream, Linear(n), n, dims, st[0], st[1], V<TS>(src), V<TD>(dst)));
    }

    public void Fill(in TensorView dst, double value)
    {
        var d = dst;
        switch (dst.DType)
        {
            case DType.Float32: FillT(d, (float)value); break;
            case DType.Float64: FillT(d, value); break;
            default: FillT(d, (int)value); break;
        }
    }

    private void FillT<T>(TensorView dst, T value) where T : unmanaged
    {
        int n = dst.Numel;
        if (n == 0) return;
        var (dims, st) = LaunchLayout.Merge(dst.Shape, dst);
        var k = Cache.Get<Action<AcceleratorStream, KernelConfig, int, Dims8, Strides8, ArrayView<T>, T>>(
            (Action<int, Dims8, Strides8, ArrayView<T>, T>)ElementwiseKernels.Fill<T>);
        Run(() => k(_stream, Linear(n), n, dims, st[0], V<T>(dst), value));
    }

    /// <summary>A contiguous device copy of a view (the caller frees it), or null if the view is already dense from 0.</summary>
    private TensorView? DenseCopy(in TensorView v, out Storage? owned)
    {
        owned = null;
        if (v.IsContiguous) return null;
        owned = Allocate(v.DType, v.Numel);
        var c = TensorView.Contiguous(owned, v.Shape);
        Copy(v, c);
        return c;
    }
}
