using ILGPU;
using ILGPU.Runtime;
using Lfm2Vl.Kernels;

namespace Lfm2Vl.Engine.Ilgpu;

public sealed partial class IlgpuBackend
{
    public void MatMul(in TensorView a, in TensorView b, in TensorView dst)
    {
        CheckSameDType("matmul", a, b, dst);
        if (a.Rank < 2 || b.Rank < 2 || a.Rank != dst.Rank || b.Rank != dst.Rank)
            throw new ArgumentException("MatMul: operands must have the destination's rank (>= 2); broadcast batch dims first.");
        if (!dst.IsContiguous) throw new ArgumentException("MatMul: destination must be contiguous.");
        int r = dst.Rank;
        int m = dst.Shape[r - 2], n = dst.Shape[r - 1], k = a.Shape[r - 1];
        if (a.Shape[r - 2] != m || b.Shape[r - 2] != k || b.Shape[r - 1] != n)
            throw new ArgumentException($"MatMul: shapes {ShapeUtil.Format(a.Shape)} @ {ShapeUtil.Format(b.Shape)} -> {ShapeUtil.Format(dst.Shape)} do not match.");
        if (dst.Numel == 0) return;

        var batchShape = dst.Shape[..(r - 2)];
        TensorView Batch(in TensorView v) => new(v.Storage, v.Offset, batchShape, v.Strides[..(r - 2)]);
        var (bdims, bst) = LaunchLayout.Merge(batchShape, Batch(a), Batch(b), Batch(dst));
        var g = new GemmArgs
        {
            M = m, N = n, K = k, Batch = Math.Max(ShapeUtil.Numel(batchShape), 1),
            BatchShape = bdims, ABatch = bst[0], BBatch = bst[1], CBatch = bst[2],
            ARow = a.Strides[r - 2], ACol = a.Strides[r - 1], BRow = b.Strides[r - 2], BCol = b.Strides[r - 1], CRow = n,
        };
        var (av, bv, dv) = (a, b, dst);
        Floating(a.DType, "matmul",
            () => Gemm<float, F32>(g, V<float>(av), V<float>(bv), V<float>(dv)),
            () => Gemm<double, F64>(g, V<double>(av), V<double>(bv), V<double>(dv)));
    }

    /// <summary>Whether a product goes to the tiled kernel (else the naive one).</summary>
    private bool UseTiled(in GemmArgs g) => GemmMode switch
    {
        GemmKernelMode.Tiled => true,
        GemmKernelMode.Naive => false,
        // The simulator runs every thread of a group as an OS thread; barrier-free kernels are far faster there.
        _ => !IsSimulator && (long)g.M * g.N * g.K >= 1 << 15 && g.M >= 8 && g.N >= 8,
    };

    /// <summary>Runs one (batched) GEMM with the kernel <see cref="GemmMode"/> selects.</summary>
    internal void Gemm<T, O>(GemmArgs g, ArrayView<T> a, ArrayView<T> b, ArrayView<T> c) where T : unmanaged where O : struct, INum<T>
    {
        if (g.M == 0 || g.N == 0 || g.Batch == 0) return;
        if (g.K == 0 && g.Accumulate != 0) return;
        if (UseTiled(g))
        {
            if (BigTiles) GemmTiled<T, O, GemmTile64>(g, a, b, c, 64, 64, 256);
            else GemmTiled<T, O, GemmTile16>(g, a, b, c, 16, 16, 64);
            return;
        }
        var k = Cache.Get<Action<AcceleratorStream, KernelConfig, GemmArgs, ArrayView<T>, ArrayView<T>, ArrayView<T>>>(
            (Action<GemmArgs, ArrayView<T>, ArrayView<T>, ArrayView<T>>)GemmKernels.Naive<T, O>);
        Run(() => k(_stream, Linear((long)g.M * g.N * g.Batch), g, a, b, c));
    }

    private void GemmTiled<T, O, TT>(GemmArgs g, ArrayView<T> a, ArrayView<T> b, ArrayView<T> c, int bm, int bn, int threads)
        where T : unmanaged where O : struct, INum<T> where TT : struct, IGemmTile
    {
        int tilesM = (g.M + bm - 1) / bm, tilesN = (g.N + bn - 1) / bn;
        if (tilesM > 65535) throw new NotSupportedException($"MatMul with M = {g.M} exceeds the tiled kernel's grid; use GemmKernelMode.Naive.");
        var k = Cache.Get<Action<AcceleratorStream, KernelConfig, GemmArgs, ArrayView<T>, ArrayView<T>, ArrayView<T>>>(
            (Action<GemmArgs, ArrayView<T>, ArrayView<T>, ArrayView<T>>)GemmKernels.Tiled<T, O, TT>);
        var config = new KernelConfig(new Index3D(tilesN, tilesM, Math.Min(g.Batch, 65535)), new Index3D(threads, 1, 1));
        Run(() => k(_stream, config, g, a, b, c));
    }
}
