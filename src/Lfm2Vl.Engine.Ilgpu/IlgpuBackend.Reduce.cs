using ILGPU;
using ILGPU.Runtime;
using Lfm2Vl.Kernels;

namespace Lfm2Vl.Engine.Ilgpu;

public sealed partial class IlgpuBackend
{
    public void Reduce(ReduceOp op, in TensorView x, in TensorView dst)
    {
        CheckSameDType($"reduce {op}", x, dst);
        if (x.Rank != dst.Rank) throw new ArgumentException("Reduce: destination must keep the input's rank (extent 1 on reduced axes).");
        var (xv, dv) = (x, dst);
        int code = op switch { ReduceOp.Sum => ReduceCode.Sum, ReduceOp.Max => ReduceCode.Max, _ => ReduceCode.Min };
        Floating(x.DType, $"reduce {op}", () => ReduceT<float, F32>(op, code, xv, dv), () => ReduceT<double, F64>(op, code, xv, dv));
    }

    private void ReduceT<T, O>(ReduceOp op, int code, TensorView x, TensorView dst) where T : unmanaged where O : struct, INum<T>
    {
        var red = new List<int>();
        for (int d = 0; d < x.Rank; d++)
        {
            if (dst.Shape[d] == x.Shape[d]) continue;
            if (dst.Shape[d] == 1) red.Add(d);
            else throw new ArgumentException($"Reduce: cannot reduce {ShapeUtil.Format(x.Shape)} to {ShapeUtil.Format(dst.Shape)}.");
        }
        if (red.Count == 0) { Copy(x, dst); return; }
        int nRed = 1;
        foreach (var d in red) nRed *= x.Shape[d];
        if (nRed == 0) { Fill(dst, op == ReduceOp.Sum ? 0 : double.NaN); return; }
        int nOut = dst.Numel;
        if (nOut == 0) return;

        // Kept part: x seen with dst's shape (reduced axes have extent 1 there and drop out).
        var xKeptView = new TensorView(x.Storage, x.Offset, dst.Shape, x.Strides);
        var (outDims, st) = LaunchLayout.Merge(dst.Shape, xKeptView, dst);
        // Reduced part: its own shape and strides, offset 0 (added to each output's base).
        var redShape = red.Select(d => x.Shape[d]).ToArray();
        var redView = new TensorView(x.Storage, 0, redShape, red.Select(d => x.Strides[d]).ToArray());
        var (redDims, rst) = LaunchLayout.Merge(redShape, redView);

        bool group = nRed >= GroupThreshold;
        var kernel = group
            ? (Action<int, Dims8, Strides8, Strides8, int, Dims8, Strides8, ArrayView<T>, ArrayView<T>, int>)ReduceKernels.ReduceGroup<T, O>
            : ReduceKernels.ReduceLoop<T, O>;
        var k = Cache.Get<Action<AcceleratorStream, KernelConfig, int, Dims8, Strides8, Strides8, int, Dims8, Strides8, ArrayView<T>, ArrayView<T>, int>>(kernel);
        var config = group ? Rows(nOut) : Linear(nOut);
        Run(() => k(_stream, config, nOut, outDims, st[0], st[1], nRed, redDims, rst[0], V<T>(x), V<T>(dst), code));
    }

    public void ArgReduce(ReduceOp op, in TensorView x, int axis, in TensorView dst)
    {
        if (dst.DType != DType.Int32) throw new ArgumentException("ArgReduce writes int32 indices.");
        var (xv, dv) = (x, dst);
        Floating(x.DType, "argmax/argmin", () => ArgT<float, F32>(op, xv, axis, dv), () => ArgT<double, F64>(op, xv, axis, dv));
    }

    private void ArgT<T, O>(ReduceOp op, TensorView x, int axis, TensorView dst) where T : unmanaged where O : struct, INum<T>
    {
        int nOut = dst.Numel, len = x.Shape[axis];
        if (nOut == 0) return;
        if (len == 0) throw new ArgumentException("argmax/argmin over an empty dimension.");
        var outShape = (int[])x.Shape.Clone();
        outShape[axis] = 1;
        var (dims, st) = LaunchLayout.Merge(outShape, new TensorView(x.Storage, x.Offset, outShape, x.Strides), dst);
        var k = Cache.Get<Action<AcceleratorStream, KernelConfig, int, Dims8, Strides8, Strides8, int, int, ArrayView<T>, ArrayView<int>, int>>(
            (Action<int, Dims8, Strides8, Strides8, int, int, ArrayView<T>, ArrayView<int>, int>)ReduceKernels.ArgReduce<T, O>);
        int stride = x.Strides[axis], isMax = op == ReduceOp.Max ? 1 : 0;
        Run(() => k(_stream, Linear(nOut), nOut, dims, st[0], st[1], len, stride, V<T>(x), V<int>(dst), isMax));
    }
}
