using System.Numerics;

namespace Lfm2Vl.Engine.Backends.Cpu;

public sealed partial class CpuBackend
{
    public void MatMul(in TensorView a, in TensorView b, in TensorView dst)
    {
        CheckSameDType("matmul", a, b, dst);
        if (a.Rank < 2 || b.Rank < 2 || a.Rank != dst.Rank || b.Rank != dst.Rank)
            throw new ArgumentException("MatMul: operands must have the destination's rank (>= 2); broadcast batch dims first.");
        if (!dst.IsContiguous) throw new ArgumentException("MatMul: destination must be contiguous.");
        var av = a; var bv = b; var dv = dst;
        Floating(a.DType, "matmul", _ => MatMulT<float>(av, bv, dv), _ => MatMulT<double>(av, bv, dv));
    }

    private static void MatMulT<T>(TensorView a, TensorView b, TensorView dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int r = dst.Rank;
        int m = dst.Shape[r - 2], n = dst.Shape[r - 1], k = a.Shape[r - 1];
        if (a.Shape[r - 2] != m || b.Shape[r - 2] != k || b.Shape[r - 1] != n)
            throw new ArgumentException($"MatMul: shapes {ShapeUtil.Format(a.Shape)} @ {ShapeUtil.Format(b.Shape)} -> {ShapeUtil.Format(dst.Shape)} do not match.");
        T[] xs = Arr<T>(a), ys = Arr<T>(b), ds = Arr<T>(dst);
        var batchShape = dst.Shape.AsSpan(0, r - 2).ToArray();
        int batches = ShapeUtil.Numel(batchShape);
        var aOff = new int[batches]; var bOff = new int[batches];
        var idx = new int[r - 2];
        for (int t = 0; t < batches; t++)
        {
            int oa = a.Offset, ob = b.Offset;
            for (int d = 0; d < r - 2; d++) { oa += idx[d] * a.Strides[d]; ob += idx[d] * b.Strides[d]; }
            aOff[t] = oa; bOff[t] = ob;
            for (int d = r - 3; d >= 0; d--) { if (++idx[d] < batchShape[d]) break; idx[d] = 0; }
        }
        int ars = a.Strides[r - 2], acs = a.Strides[r - 1], brs = b.Strides[r - 2], bcs = b.Strides[r - 1];
        long perBatch = (long)m * n * k;
        if (batches > 1 && perBatch < 1 << 18)
        {
            // Many small products: parallel across batches, serial inside.
            Parallel.For(0, batches, t => Gemm.Run(m, n, k, xs, aOff[t], ars, acs, ys, bOff[t], brs, bcs, ds, dst.Offset + t * m * n, n, false, parallel: false));
            return;
        }
        for (int t = 0; t < batches; t++)
            Gemm.Run(m, n, k, xs, aOff[t], ars, acs, ys, bOff[t], brs, bcs, ds, dst.Offset + t * m * n, n, false);
    }
}
