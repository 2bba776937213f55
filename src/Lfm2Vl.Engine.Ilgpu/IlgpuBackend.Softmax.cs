using ILGPU;
using ILGPU.Runtime;
using Lfm2Vl.Kernels;

namespace Lfm2Vl.Engine.Ilgpu;

public sealed partial class IlgpuBackend
{
    public void Softmax(in TensorView x, in TensorView dst, bool log)
    {
        CheckSameDType("softmax", x, dst);
        if (!dst.IsContiguous) throw new ArgumentException("Softmax: destination must be contiguous.");
        var xc = DenseCopy(x, out var owned) ?? x;
        var dv = dst;
        try
        {
            Floating(x.DType, "softmax", () => SoftmaxT<float, F32>(xc, dv, log), () => SoftmaxT<double, F64>(xc, dv, log));
        }
        finally { if (owned is not null) Free(owned); }
    }

    private void SoftmaxT<T, O>(TensorView x, TensorView dst, bool log) where T : unmanaged where O : struct, INum<T>
    {
        int len = x.Rank == 0 ? 1 : x.Shape[^1];
        if (len == 0 || x.Numel == 0) return;
        int rows = x.Numel / len;
        bool group = len >= GroupThreshold;
        var kernel = group
            ? (Action<int, int, ArrayView<T>, ArrayView<T>, int>)SoftmaxKernels.ForwardGroup<T, O>
            : SoftmaxKernels.ForwardLoop<T, O>;
        var k = Cache.Get<Action<AcceleratorStream, KernelConfig, int, int, ArrayView<T>, ArrayView<T>, int>>(kernel);
        var xs = V<T>(x).SubView(x.Offset, x.Numel);
        var ds = V<T>(dst).SubView(dst.Offset, dst.Numel);
        Run(() => k(_stream, group ? Rows(rows) : Linear(rows), rows, len, xs, ds, log ? 1 : 0));
    }

    public void SoftmaxBackward(in TensorView y, in TensorView gy, in TensorView dst, bool log)
    {
        CheckSameDType("softmax backward", y, gy, dst);
        if (!dst.IsContiguous) throw new ArgumentException("Softmax backward: destination must be contiguous.");
        var yc = DenseCopy(y, out var yOwned) ?? y;
        var gc = DenseCopy(gy, out var gOwned) ?? gy;
        var dv = dst;
        try
        {
            Floating(y.DType, "softmax backward", () => SoftmaxBackT<float, F32>(yc, gc, dv, log), () => SoftmaxBackT<double, F64>(yc, gc, dv, log));
        }
        finally
        {
            if (yOwned is not null) Free(yOwned);
            if (gOwned is not null) Free(gOwned);
        }
    }

    private void SoftmaxBackT<T, O>(TensorView y, TensorView gy, TensorView dst, bool log) where T : unmanaged where O : struct, INum<T>
    {
        int len = y.Rank == 0 ? 1 : y.Shape[^1];
        if (len == 0 || y.Numel == 0) return;
        int rows = y.Numel / len;
        bool group = len >= GroupThreshold;
        var kernel = group
            ? (Action<int, int, ArrayView<T>, ArrayView<T>, ArrayView<T>, int>)SoftmaxKernels.BackwardGroup<T, O>
            : SoftmaxKernels.BackwardLoop<T, O>;
        var k = Cache.Get<Action<AcceleratorStream, KernelConfig, int, int, ArrayView<T>, ArrayView<T>, ArrayView<T>, int>>(kernel);
        int n = y.Numel;
        var ys = V<T>(y).SubView(y.Offset, n);
        var gs = V<T>(gy).SubView(gy.Offset, n);
        var ds = V<T>(dst).SubView(dst.Offset, n);
        Run(() => k(_stream, group ? Rows(rows) : Linear(rows), rows, len, ys, gs, ds, log ? 1 : 0));
    }
}
