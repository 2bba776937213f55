using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using Lfm2Vl.Kernels;

namespace Lfm2Vl.Engine.Ilgpu;

public sealed partial class IlgpuBackend
{
    // The max-pool backward primitive gets no window geometry, but its gather (one thread per input element,
    // no atomics) needs it to know which outputs could have picked an element. The forward pass records its
    // geometry against the indices storage it filled; the backward looks it up.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<Storage, StrongBox<PoolGeom>> _poolGeometry = new();

    private static PoolGeom PoolGeometry(in TensorView x, in TensorView y, in Pool2dParams p)
    {
        if (x.Rank != 4 || y.Rank != 4 || !x.IsContiguous || !y.IsContiguous)
            throw new ArgumentException("Pooling primitives need contiguous NCHW tensors.");
        return new PoolGeom
        {
            Planes = x.Shape[0] * x.Shape[1], H = x.Shape[2], W = x.Shape[3], OH = y.Shape[2], OW = y.Shape[3],
            KH = p.KernelH, KW = p.KernelW, StrideH = p.StrideH, StrideW = p.StrideW, PadH = p.PadH, PadW = p.PadW,
            CountIncludePad = p.CountIncludePad ? 1 : 0,
        };
    }

    private static ArrayView<T> Dense<T>(in TensorView v) where T : unmanaged => V<T>(v).SubView(v.Offset, v.Numel);

    public void MaxPool2d(in TensorView x, in TensorView y, in TensorView indices, in Pool2dParams p)
    {
        CheckSameDType("max_pool2d", x, y);
        var g = PoolGeometry(x, y, p);
        var (xv, yv, iv) = (x, y, indices);
        Floating(x.DType, "max_pool2d", () => MaxPoolT<float, F32>(g, xv, yv, iv), () => MaxPoolT<double, F64>(g, xv, yv, iv));
    }

    private void MaxPoolT<T, O>(PoolGeom g, TensorView x, TensorView y, TensorView indices) where T : unmanaged where O : struct, INum<T>
    {
        int total = y.Numel;
        if (total == 0) return;
        _poolGeometry.AddOrUpdate(indices.Storage, new StrongBox<PoolGeom>(g));
        var k = Cache.Get<Action<AcceleratorStream, KernelConfig, int, PoolGeom, ArrayView<T>, ArrayView<T>, ArrayView<int>>>(
            (Action<int, PoolGeom, ArrayView<T>, ArrayView<T>, ArrayView<int>>)PoolKernels.MaxForward<T, O>);
        Run(() => k(_stream, Linear(total), total, g, Dense<T>(x), Dense<T>(y), Dense<int>(indices)));
    }

    public void MaxPool2dBackward(in TensorView gy, in TensorView indices, in TensorView dx)
    {
        CheckSameDType("max_pool2d backward", gy, dx);
        if (gy.Rank != 4 || dx.Rank != 4 || !gy.IsContiguous || !dx.IsContiguous || !indices.IsContiguous)
            throw new ArgumentException("Pooling primitives need contiguous NCHW tensors.");
        var (gv, iv, dv) = (gy, indices, dx);
        Floating(dx.DType, "max_pool2d backward", () => MaxPoolBackT<float, F32>(gv, iv, dv), () => MaxPoolBackT<double, F64>(gv, iv, dv));
    }

    private void MaxPoolBackT<T, O>(TensorView gy, TensorView indices, TensorView dx) where T : unmanaged where O : struct, INum<T>
    {
        int total = dx.Numel;
        if (total == 0) return;
        var g = new PoolGeom { Planes = dx.Shape[0] * dx.Shape[1], H = dx.Shape[2], W = dx.Shape[3], OH = gy.Shape[2], OW = gy.Shape[3] };
        if (_poolGeometry.TryGetValue(indices.Storage, out var known) && known.Value.H == g.H && known.Value.OH == g.OH)
            g = known.Value;
        else
        {
            // Indices from elsewhere: every output of the plane is a candidate for every input (correct, slow).
            // A window of H + OH rows at stride 1 starting OH - 1 rows before the input contains every output.
            g.KH = g.H + g.OH; g.KW = g.W + g.OW; g.StrideH = 1; g.StrideW = 1; g.PadH = g.OH; g.PadW = g.OW;
        }
        var k = Cache.Get<Action<AcceleratorStream, KernelConfig, int, PoolGeom, ArrayView<T>, ArrayView<int>, ArrayView<T>>>(
            (Action<int, PoolGeom, ArrayView<T>, ArrayView<int>, ArrayView<T>>)PoolKernels.MaxBackward<T, O>);
        Run(() => k(_stream, Linear(total), total, g, Dense<T>(gy), Dense<int>(indices), Dense<T>(dx)));
    }

    public void AvgPool2d(in TensorView x, in TensorView y, in Pool2dParams p)
    {
        CheckSameDType("avg_pool2d", x, y);
        var g = PoolGeometry(x, y, p);
        var (xv, yv) = (x, y);
        Floating(x.DType, "avg_pool2d", () => AvgPoolT<float, F32>(g, xv, yv), () => AvgPoolT<double, F64>(g, xv, yv));
    }

    private void AvgPoolT<T, O>(PoolGeom g, TensorView x, TensorView y) where T : unmanaged where O : struct, INum<T>
    {
        int total = y.Numel;
        if (total == 0) return;
        var k = Cache.Get<Action<AcceleratorStream, KernelConfig, int, PoolGeom, ArrayView<T>, ArrayView<T>>>(
            (Action<int, PoolGeom, ArrayView<T>, ArrayView<T>>)PoolKernels.AvgForward<T, O>);
        Run(() => k(_stream, Linear(total), total, g, Dense<T>(x), Dense<T>(y)));
    }

    public void AvgPool2dBackward(in TensorView gy, in TensorView dx, in Pool2dParams p)
    {
        CheckSameDType("avg_pool2d backward", gy, dx);
        var g = PoolGeometry(dx, gy, p);
        var (gv, dv) = (gy, dx);
        Floating(dx.DType, "avg_pool2d backward", () => AvgPoolBackT<float, F32>(g, gv, dv), () => AvgPoolBackT<double, F64>(g, gv, dv));
    }

    private void AvgPoolBackT<T, O>(PoolGeom g, TensorView gy, TensorView dx) where T : unmanaged where O : struct, INum<T>
    {
        int total = dx.Numel;
        if (total == 0) return;
        var k = Cache.Get<Action<AcceleratorStream, KernelConfig, int, PoolGeom, ArrayView<T>, ArrayView<T>>>(
            (Action<int, PoolGeom, ArrayView<T>, ArrayView<T>>)PoolKernels.AvgBackward<T, O>);
        Run(() => k(_stream, Linear(total), total, g, Dense<T>(gy), Dense<T>(dx)));
    }
}
