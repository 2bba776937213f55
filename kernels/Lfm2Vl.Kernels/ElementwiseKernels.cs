using ILGPU;

namespace Lfm2Vl.Kernels;

/// <summary>Converts one element type to another (the casts of the CPU backend's Convert).</summary>
public interface IConvert<TS, TD> where TS : unmanaged where TD : unmanaged
{
    TD Convert(TS v);
}

public struct F32ToF64 : IConvert<float, double> { public double Convert(float v) => v; }
public struct F64ToF32 : IConvert<double, float> { public float Convert(double v) => (float)v; }
public struct I32ToF32 : IConvert<int, float> { public float Convert(int v) => v; }
public struct I32ToF64 : IConvert<int, double> { public double Convert(int v) => v; }
public struct F32ToI32 : IConvert<float, int>
{
    // Truncation toward zero, NaN to 0, saturating at the int range (as the CPU backend).
    public int Convert(float v) => float.IsNaN(v) ? 0 : v >= 2147483647f ? int.MaxValue : v <= -2147483648f ? int.MinValue : (int)v;
}
public struct F64ToI32 : IConvert<double, int>
{
    public int Convert(double v) => double.IsNaN(v) ? 0 : v >= 2147483647.0 ? int.MaxValue : v <= -2147483648.0 ? int.MinValue : (int)v;
}

/// <summary>
/// Element-wise kernels over strided operands of one shape (stride 0 broadcasts). Every kernel is a
/// grid-stride loop over the n output elements, so any grid size covers any n.
/// </summary>
public static class ElementwiseKernels
{
    public static void Unary<T, O>(int n, Dims8 shape, Strides8 xs, Strides8 ys, ArrayView<T> x, ArrayView<T> y, int op, T a, T b)
        where T : unmanaged where O : struct, INum<T>
    {
        for (int i = Grid.GlobalIndex.X; i < n; i += Grid.DimX * Group.DimX)
        {
            var c = shape.Decompose(i);
            y[ys.At(c)] = ElementMath.Unary<T, O>(op, x[xs.At(c)], a, b);
        }
    }

    public static void Binary<T, O>(int n, Dims8 shape, Strides8 sa, Strides8 sb, Strides8 sd,
        ArrayView<T> a, ArrayView<T> b, ArrayView<T> d, int op, T p, T q)
        where T : unmanaged where O : struct, INum<T>
    {
        for (int i = Grid.GlobalIndex.X; i < n; i += Grid.DimX * Group.DimX)
        {
            var c = shape.Decompose(i);
            d[sd.At(c)] = ElementMath.Binary<T, O>(op, a[sa.At(c)], b[sb.At(c)], p, q);
        }
    }

    /// <summary>d = cond != 0 ? a : b; the condition may have another element type (TCO tests it).</summary>
    public static void Where<TC, TCO, T>(int n, Dims8 shape, Strides8 sc, Strides8 sa, Strides8 sb, Strides8 sd,
        ArrayView<TC> cond, ArrayView<T> a, ArrayView<T> b, ArrayView<T> d)
        where TC : unmanaged where TCO : struct, IAddable<TC> where T : unmanaged
    {
        TCO t = default;
        for (int i = Grid.GlobalIndex.X; i < n; i += Grid.DimX * Group.DimX)
        {
            var c = shape.Decompose(i);
            d[sd.At(c)] = t.NonZero(cond[sc.At(c)]) ? a[sa.At(c)] : b[sb.At(c)];
        }
    }

    public static void Copy<T>(int n, Dims8 shape, Strides8 ss, Strides8 sd, ArrayView<T> src, ArrayView<T> dst) where T : unmanaged
    {
        for (int i = Grid.GlobalIndex.X; i < n; i += Grid.DimX * Group.DimX)
        {
            var c = shape.Decompose(i);
            dst[sd.At(c)] = src[ss.At(c)];
        }
    }

    public static void Convert<TS, TD, C>(int n, Dims8 shape, Strides8 ss, Strides8 sd, ArrayView<TS> src, ArrayView<TD> dst)
        where TS : unmanaged where TD : unmanaged where C : struct, IConvert<TS, TD>
    {
        C conv = default;
        for (int i = Grid.GlobalIndex.X; i < n; i += Grid.DimX * Group.DimX)
        {
            var c = shape.Decompose(i);
            dst[sd.At(c)] = conv.Convert(src[ss.At(c)]);
        }
    }

    public static void Fill<T>(int n, Dims8 shape, Strides8 sd, ArrayView<T> dst, T value) where T : unmanaged
    {
        for (int i = Grid.GlobalIndex.X; i < n; i += Grid.DimX * Group.DimX)
            dst[sd.At(shape.Decompose(i))] = value;
    }
}
