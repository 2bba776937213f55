using ILGPU;

namespace Lfm2Vl.Kernels;

/// <summary>
/// Sum/max/min over the reduced axes. The host splits the input's layout into the kept part (one entry per
/// output) and the reduced part (its own shape and strides, offset 0). Each output starts from its first
/// element, so max/min need no identity and NaN propagates as in the CPU backend.
/// </summary>
public static class ReduceKernels
{
    /// <summary>One thread per output, looping over the reduced elements (short reductions).</summary>
    public static void ReduceLoop<T, O>(int nOut, Dims8 outShape, Strides8 xKept, Strides8 sd, int nRed, Dims8 redShape, Strides8 xRed,
        ArrayView<T> x, ArrayView<T> d, int op)
        where T : unmanaged where O : struct, INum<T>
    {
        for (int i = Grid.GlobalIndex.X; i < nOut; i += Grid.DimX * Group.DimX)
        {
            var c = outShape.Decompose(i);
            int b = xKept.At(c);
            T acc = x[b];
            for (int r = 1; r < nRed; r++)
                acc = ElementMath.Combine<T, O>(op, acc, x[b + xRed.At(redShape.Decompose(r))]);
            d[sd.At(c)] = acc;
        }
    }

    /// <summary>One group per output: threads stride over the reduced elements, then a shared-memory tree.</summary>
    public static void ReduceGroup<T, O>(int nOut, Dims8 outShape, Strides8 xKept, Strides8 sd, int nRed, Dims8 redShape, Strides8 xRed,
        ArrayView<T> x, ArrayView<T> d, int op)
        where T : unmanaged where O : struct, INum<T>
    {
        var scratch = SharedMemory.Allocate<T>(GroupTree.MaxGroup);
        O o = default;
        int t = Group.IdxX;
        for (int i = Grid.IdxX; i < nOut; i += Grid.DimX)
        {
            var c = outShape.Decompose(i);
            int b = xKept.At(c);
            // Threads without an element start from a neutral value: 0 for sums, element 0 for max/min.
            T acc = t < nRed ? x[b + xRed.At(redShape.Decompose(t))] : op == ReduceCode.Sum ? o.Zero : x[b];
            for (int r = t + Group.DimX; r < nRed; r += Group.DimX)
                acc = ElementMath.Combine<T, O>(op, acc, x[b + xRed.At(redShape.Decompose(r))]);
            T total = GroupTree.Reduce<T, O>(scratch, acc, op);
            if (t == 0) d[sd.At(c)] = total;
        }
    }

    /// <summary>Index of the first max (or min) along one axis; a NaN wins at once (as the CPU backend).</summary>
    public static void ArgReduce<T, O>(int nOut, Dims8 outShape, Strides8 xs, Strides8 sd, int len, int axisStride,
        ArrayView<T> x, ArrayView<int> d, int isMax)
        where T : unmanaged where O : struct, INum<T>
    {
        O o = default;
        for (int i = Grid.GlobalIndex.X; i < nOut; i += Grid.DimX * Group.DimX)
        {
            var c = outShape.Decompose(i);
            int b = xs.At(c), best = 0;
            T bv = x[b];
            for (int j = 1; j < len && !o.IsNaN(bv); j++)
            {
                T v = x[b + j * axisStride];
                if (o.IsNaN(v) || (isMax != 0 ? o.Gt(v, bv) : o.Lt(v, bv))) { bv = v; best = j; }
            }
            d[sd.At(c)] = best;
        }
    }
}
