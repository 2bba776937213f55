using System.Numerics;
using System.Numerics.Tensors;

namespace Lfm2Vl.Engine.Backends.Cpu;

public sealed partial class CpuBackend
{
    public void Reduce(ReduceOp op, in TensorView x, in TensorView dst)
    {
        CheckSameDType($"reduce {op}", x, dst);
        if (x.Rank != dst.Rank) throw new ArgumentException("Reduce: destination must keep the input's rank (extent 1 on reduced axes).");
        var xv = x; var dv = dst;
        Floating(x.DType, $"reduce {op}", _ => ReduceT<float>(op, xv, dv), _ => ReduceT<double>(op, xv, dv));
    }

    private void ReduceT<T>(ReduceOp op, TensorView x, TensorView dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var kept = new List<int>();
        var red = new List<int>();
        for (int d = 0; d < x.Rank; d++)
        {
            if (dst.Shape[d] == x.Shape[d]) kept.Add(d);
            else if (dst.Shape[d] == 1) red.Add(d);
            else throw new ArgumentException($"Reduce: cannot reduce {ShapeUtil.Format(x.Shape)} to {ShapeUtil.Format(dst.Shape)}.");
        }
        if (red.Count == 0) { Copy(x, dst); return; }
        int redCount = 1; foreach (var d in red) redCount *= x.Shape[d];
        int keptCount = 1; foreach (var d in kept) keptCount *= x.Shape[d];
        if (redCount == 0) { Fill(dst, op == ReduceOp.Sum ? 0 : double.NaN); return; }

        // Permuted view [kept..., reduced...]: if the reduced block is one contiguous run, reduce spans directly.
        int[] perm = [.. kept, .. red];
        var dKept = kept.Select(d => dst.Strides[d]).ToArray();
        var pShape = perm.Select(d => x.Shape[d]).ToArray();
        var pStrides = perm.Select(d => x.Strides[d]).ToArray();
        bool redContiguous = ShapeUtil.IsContiguous(pShape.AsSpan(kept.Count), pStrides.AsSpan(kept.Count));
        if (redContiguous)
        {
            ReduceRows<T>(op, new TensorView(x.Storage, x.Offset, pShape, pStrides), kept.Count, redCount, dst, dKept);
            return;
        }
        if (LeadingAxesOfContiguous(x, red, dst))
        {
            ReduceLeadingRows<T>(op, x, redCount, keptCount, dst);
            return;
        }
        if (redCount <= keptCount)
        {
            ReduceBySlices<T>(op, x, red, dst);
            return;
        }
        // Otherwise gather into a contiguous [kept, reduced] buffer first.
        var tmp = Allocate(x.DType, x.Numel);
        try
        {
            var tv = TensorView.Contiguous(tmp, pShape);
            Copy(new TensorView(x.Storage, x.Offset, pShape, pStrides), tv);
            ReduceRows<T>(op, tv, kept.Count, redCount, dst, dKept);
        }
        finally { Free(tmp); }
    }

    /// <summary>x is [kept..., reduced...] with the reduced block contiguous; one span reduction per output.</summary>
    private static void ReduceRows<T>(ReduceOp op, TensorView x, int keptRank, int redCount, TensorView dst, int[] dstKeptStrides) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] xs = Arr<T>(x), ds = Arr<T>(dst);
        var keptShape = x.Shape.AsSpan(0, keptRank).ToArray();
        var xk = new TensorView(x.Storage, x.Offset, keptShape, x.Strides.AsSpan(0, keptRank).ToArray());
        var dk = new TensorView(dst.Storage, dst.Offset, keptShape, dstKeptStrides);
        var loop = new StridedLoop(keptShape, [xk, dk]);
        int sx = loop.InnerStrides[0], sd = loop.InnerStrides[1];
        loop.Run((o, n) =>
        {
            for (int i = 0; i < n; i++)
            {
                var span = new ReadOnlySpan<T>(xs, o[0] + i * sx, redCount);
                ds[o[1] + i * sd] = op switch
                {
                    ReduceOp.Sum => TensorPrimitives.Sum(span),
                    ReduceOp.Max => TensorPrimitives.Max(span),
                    _ => TensorPrimitives.Min(span),
                };
            }
        }, parallelThreshold: Math.Max(1, (1 << 15) / Math.Max(redCount, 1)));
    }

    /// <summary>x and dst contiguous and the reduced axes exactly the leading ones (a bias gradient, [B, T, D] -> [D]).</summary>
    private static bool LeadingAxesOfContiguous(TensorView x, List<int> red, TensorView dst)
    {
        if (!x.IsContiguous || !dst.IsContiguous) return false;
        for (int k = 0; k < red.Count; k++) if (red[k] != k) return false;
        return true;
    }

    /// <summary>
    /// x viewed as [redCount, keptCount] rows reduced into one row: dst op= each row with vector ops, split over
    /// column blocks across threads. Gathering such an input into [kept, reduced] order first (the general
    /// path) cost a full transposed copy.
    /// </summary>
    private static void ReduceLeadingRows<T>(ReduceOp op, TensorView x, int redCount, int keptCount, TensorView dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] xs = Arr<T>(x), ds = Arr<T>(dst);
        int xo = x.Offset, d0 = dst.Offset;
        const int MinBlock = 256;
        int blocks = (long)redCount * keptCount < 1 << 16 ? 1 : Math.Clamp(keptCount / MinBlock, 1, Environment.ProcessorCount);
        int per = (keptCount + blocks - 1) / blocks;
        void Block(int b)
        {
            int c0 = b * per, len = Math.Min(per, keptCount - c0);
            if (len <= 0) return;
            var d = ds.AsSpan(d0 + c0, len);
            xs.AsSpan(xo + c0, len).CopyTo(d);
            for (int r = 1; r < redCount; r++)
            {
                var row = new ReadOnlySpan<T>(xs, xo + r * keptCount + c0, len);
                switch (op)
                {
                    case ReduceOp.Sum: TensorPrimitives.Add(d, row, d); break;
                    case ReduceOp.Max: TensorPrimitives.Max(d, row, d); break;
                    default: TensorPrimitives.Min(d, row, d); break;
                }
            }
        }
        if (blocks == 1) Block(0);
        else Parallel.For(0, blocks, Block);
    }

    /// <summary>Few reductions, many outputs: dst op= each reduced slice, vectorized along the outputs.</summary>
    private void ReduceBySlices<T>(ReduceOp op, TensorView x, List<int> red, TensorView dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var bop = op switch { ReduceOp.Sum => BinaryOp.Add, ReduceOp.Max => BinaryOp.Maximum, _ => BinaryOp.Minimum };
        var redShape = red.Select(d => x.Shape[d]).ToArray();
        int count = ShapeUtil.Numel(redShape);
        var idx = new int[red.Count];
        for (int r = 0; r < count; r++)
        {
            int off = x.Offset;
            for (int k = 0; k < red.Count; k++) off += idx[k] * x.Strides[red[k]];
            var slice = new TensorView(x.Storage, off, dst.Shape, x.Strides);
            if (r == 0) Copy(slice, dst);
            else BinaryT<T>(bop, dst, slice, dst, T.Zero, T.Zero);
            for (int k = red.Count - 1; k >= 0; k--)
            {
                if (++idx[k] < redShape[k]) break;
                idx[k] = 0;
            }
        }
    }

    public void ArgReduce(ReduceOp op, in TensorView x, int axis, in TensorView dst)
    {
        if (dst.DType != DType.Int32) throw new ArgumentException("ArgReduce writes int32 indices.");
        var xv = x; var dv = dst;
        Floating(x.DType, "argmax/argmin", _ => ArgT<float>(op, xv, axis, dv), _ => ArgT<double>(op, xv, axis, dv));
    }

    private static void ArgT<T>(ReduceOp op, TensorView x, int axis, TensorView dst) where T : unmanaged, IFloatingPointIeee754<T>
    {
        T[] xs = Arr<T>(x); int[] ds = Arr<int>(dst);
        int len = x.Shape[axis], st = x.Strides[axis];
        var outShape = (int[])x.Shape.Clone(); outShape[axis] = 1;
        var xo = new TensorView(x.Storage, x.Offset, outShape, x.Strides);
        var loop = new StridedLoop(outShape, [xo, dst]);
        int sx = loop.InnerStrides[0], sd = loop.InnerStrides[1];
        bool max = op == ReduceOp.Max;
        loop.Run((o, n) =>
        {
            for (int i = 0; i < n; i++)
            {
                int b = o[0] + i * sx, best = 0;
                T bv = xs[b];
                for (int j = 1; j < len && !T.IsNaN(bv); j++)
                {
                    T v = xs[b + j * st];
                    if (T.IsNaN(v) || (max ? v > bv : v < bv)) { bv = v; best = j; }
                }
                ds[o[1] + i * sd] = best;
            }
        });
    }
}
