using ILGPU;

namespace Lfm2Vl.Kernels;

/// <summary>
/// Softmax and log-softmax over the last axis of contiguous [rows, len] data, forward and backward.
/// The *Loop kernels give each row to one thread (short rows); the *Group kernels give each row to a group
/// that reduces through shared memory (long rows).
/// </summary>
public static class SoftmaxKernels
{
    public static void ForwardLoop<T, O>(int rows, int len, ArrayView<T> x, ArrayView<T> y, int log)
        where T : unmanaged where O : struct, INum<T>
    {
        O o = default;
        for (int row = Grid.GlobalIndex.X; row < rows; row += Grid.DimX * Group.DimX)
        {
            int b = row * len;
            T max = x[b];
            for (int j = 1; j < len; j++) max = ElementMath.Combine<T, O>(ReduceCode.Max, max, x[b + j]);
            if (o.IsNegInf(max)) max = o.Zero; // a row of -inf: avoid inf - inf
            T sum = o.Zero;
            for (int j = 0; j < len; j++)
            {
                T e = o.Exp(o.Sub(x[b + j], max));
                sum = o.Add(sum, e);
                if (log == 0) y[b + j] = e;
            }
            if (log != 0)
            {
                T shift = o.Add(max, o.Log(sum));
                for (int j = 0; j < len; j++) y[b + j] = o.Sub(x[b + j], shift);
            }
            else
            {
                for (int j = 0; j < len; j++) y[b + j] = o.Div(y[b + j], sum);
            }
        }
    }

    public static void ForwardGroup<T, O>(int rows, int len, ArrayView<T> x, ArrayView<T> y, int log)
        where T : unmanaged where O : struct, INum<T>
    {
        var scratch = SharedMemory.Allocate<T>(GroupTree.MaxGroup);
        O o = default;
        int t = Group.IdxX;
        for (int row = Grid.IdxX; row < rows; row += Grid.DimX)
        {
            int b = row * len;
            T max = t < len ? x[b + t] : x[b];
            for (int j = t + Group.DimX; j < len; j += Group.DimX) max = ElementMath.Combine<T, O>(ReduceCode.Max, max, x[b + j]);
            max = GroupTree.Reduce<T, O>(scratch, max, ReduceCode.Max);
            if (o.IsNegInf(max)) max = o.Zero;
            T sum = o.Zero;
            for (int j = t; j < len; j += Group.DimX) sum = o.Add(sum, o.Exp(o.Sub(x[b + j], max)));
            sum = GroupTree.Reduce<T, O>(scratch, sum, ReduceCode.Sum);
            if (log != 0)
            {
                T shift = o.Add(max, o.Log(sum));
                for (int j = t; j < len; j += Group.DimX) y[b + j] = o.Sub(x[b + j], shift);
            }
            else
            {
                for (int j = t; j < len; j += Group.DimX) y[b + j] = o.Div(o.Exp(o.Sub(x[b + j], max)), sum);
            }
        }
    }

    /// <summary>dx = g - exp(y) * sum(g) for log-softmax; dx = y * (g - sum(g * y)) for softmax.</summary>
    public static void BackwardLoop<T, O>(int rows, int len, ArrayView<T> y, ArrayView<T> gy, ArrayView<T> dx, int log)
        where T : unmanaged where O : struct, INum<T>
    {
        O o = default;
        for (int row = Grid.GlobalIndex.X; row < rows; row += Grid.DimX * Group.DimX)
        {
            int b = row * len;
            T s = o.Zero;
            for (int j = 0; j < len; j++) s = o.Add(s, log != 0 ? gy[b + j] : o.Mul(gy[b + j], y[b + j]));
            for (int j = 0; j < len; j++)
                dx[b + j] = log != 0 ? o.Sub(gy[b + j], o.Mul(o.Exp(y[b + j]), s)) : o.Mul(o.Sub(gy[b + j], s), y[b + j]);
        }
    }

    public static void BackwardGroup<T, O>(int rows, int len, ArrayView<T> y, ArrayView<T> gy, ArrayView<T> dx, int log)
        where T : unmanaged where O : struct, INum<T>
    {
        var scratch = SharedMemory.Allocate<T>(GroupTree.MaxGroup);
        O o = default;
        int t = Group.IdxX;
        for (int row = Grid.IdxX; row < rows; row += Grid.DimX)
        {
            int b = row * len;
            T s = o.Zero;
            for (int j = t; j < len; j += Group.DimX) s = o.Add(s, log != 0 ? gy[b + j] : o.Mul(gy[b + j], y[b + j]));
            s = GroupTree.Reduce<T, O>(scratch, s, ReduceCode.Sum);
            for (int j = t; j < len; j += Group.DimX)
                dx[b + j] = log != 0 ? o.Sub(gy[b + j], o.Mul(o.Exp(y[b + j]), s)) : o.Mul(o.Sub(gy[b + j], s), y[b + j]);
        }
    }
}
