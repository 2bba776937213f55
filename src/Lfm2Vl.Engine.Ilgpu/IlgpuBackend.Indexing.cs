using ILGPU;
using ILGPU.Runtime;
using Lfm2Vl.Kernels;

namespace Lfm2Vl.Engine.Ilgpu;

// index_select and gather are one gather kernel; index_add and scatter_add one scatter kernel: a 1-D index
// is seen as broadcast (stride 0) over every axis but the indexed one.
public sealed partial class IlgpuBackend
{
    private static void CheckIndex(in TensorView index, string what)
    {
        if (index.DType != DType.Int32) throw new ArgumentException($"{what}: indices must be int32, got {index.DType.Name()}.");
    }

    /// <summary>A rank-1 index seen with the given shape: stride 0 everywhere but the axis.</summary>
    private static TensorView SpreadIndex(in TensorView index, int[] shape, int axis)
    {
        var strides = new int[shape.Length];
        strides[axis] = index.Strides[0];
        return new TensorView(index.Storage, index.Offset, shape, strides);
    }

    public void IndexSelect(in TensorView x, int axis, in TensorView index, in TensorView dst)
    {
        CheckIndex(index, "index_select");
        if (index.Rank != 1) throw new ArgumentException("index_select: the index must be a vector.");
        CheckSameDType("index_select", x, dst);
        GatherAny(x, axis, SpreadIndex(index, dst.Shape, axis), dst);
    }

    public void Gather(in TensorView x, int axis, in TensorView index, in TensorView dst)
    {
        CheckIndex(index, "gather");
        CheckSameDType("gather", x, dst);
        if (!ShapeUtil.SameShape(index.Shape, dst.Shape)) throw new ArgumentException("gather: the index must have the output's shape.");
        GatherAny(x, axis, index, dst);
    }

    private void GatherAny(TensorView x, int axis, TensorView index, TensorView dst)
    {
        switch (x.DType)
        {
            case DType.Float32: GatherT<float>(x, axis, index, dst); break;
            case DType.Float64: GatherT<double>(x, axis, index, dst); break;
            default: GatherT<int>(x, axis, index, dst); break;
        }
    }

    private void GatherT<T>(TensorView x, int axis, TensorView index, TensorView dst) where T : unmanaged
    {
        int n = dst.Numel;
        if (n == 0) return;
        var xStrides = (int[])x.Strides.Clone();
        xStrides[axis] = 0;
        var xv = new TensorView(x.Storage, x.Offset, dst.Shape, xStrides);
        var (dims, st) = LaunchLayout.Merge(dst.Shape, xv, dst, index);
        var k = Cache.Get<Action<AcceleratorStream, KernelConfig, int, Dims8, Strides8, Strides8, Strides8, int, int, ArrayView<T>, ArrayView<T>, ArrayView<int>, ArrayView<int>>>(
            (Action<int, Dims8, Strides8, Strides8, Strides8, int, int, ArrayView<T>, ArrayView<T>, ArrayView<int>, ArrayView<int>>)IndexKernels.Gather<T>);
        int axisStride = x.Strides[axis], limit = x.Shape[axis];
        Run(() => k(_stream, Linear(n), n, dims, st[0], st[1], st[2], axisStride, limit, V<T>(x), V<T>(dst), V<int>(index), ErrorView));
    }

    public void IndexAdd(in TensorView dst, int axis, in TensorView index, in TensorView src)
    {
        CheckIndex(index, "index_add");
        if (index.Rank != 1) throw new ArgumentException("index_add: the index must be a vector.");
        CheckSameDType("index_add", dst, src);
        ScatterAny(dst, axis, SpreadIndex(index, src.Shape, axis), src);
    }

    public void ScatterAdd(in TensorView dst, int axis, in TensorView index, in TensorView src)
    {
        CheckIndex(index, "scatter_add");
        CheckSameDType("scatter_add", dst, src);
        ScatterAny(dst, axis, index, src);
    }

    private void ScatterAny(TensorView dst, int axis, TensorView index, TensorView src)
    {
        if (index.Rank != dst.Rank) throw new ArgumentException($"scatter_add: index rank {index.Rank} differs from the destination's {dst.Rank}.");
        switch (dst.DType)
        {
            case DType.Float32: ScatterT<float, F32>(dst, axis, index, src); break;
            case DType.Float64: ScatterT<double, F64>(dst, axis, index, src); break;
            default: ScatterT<int, I32>(dst, axis, index, src); break;
        }
    }

    private void ScatterT<T, A>(TensorView dst, int axis, TensorView index, TensorView src) where T : unmanaged where A : struct, IAddable<T>
    {
        int n = dst.Numel;
        if (n == 0 || index.Numel == 0) return;
        var dShape = LaunchLayout.Dims(dst.Shape);
        var ds = LaunchLayout.Strides(dst.Offset, dst.Strides);
        var ixShape = LaunchLayout.Dims(index.Shape);
        var ixs = LaunchLayout.Strides(index.Offset, index.Strides);
        var ss = LaunchLayout.Strides(src.Offset, src.Strides);
        int axisPos = dst.Rank - 1 - axis;
        var k = Cache.Get<Action<AcceleratorStream, KernelConfig, int, Dims8, Strides8, Dims8, Strides8, Strides8, int, ArrayView<T>, ArrayView<int>, ArrayView<T>, ArrayView<int>>>(
            (Action<int, Dims8, Strides8, Dims8, Strides8, Strides8, int, ArrayView<T>, ArrayView<int>, ArrayView<T>, ArrayView<int>>)IndexKernels.ScatterAdd<T, A>);
        Run(() => k(_stream, Linear(n), n, dShape, ds, ixShape, ixs, ss, axisPos, V<T>(dst), V<int>(index), V<T>(src), ErrorView));
    }
}
