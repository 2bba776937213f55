using System.Numerics;
using System.Runtime.InteropServices;

namespace Lfm2Vl.Engine.Backends.Cpu;

/// <summary>
/// The reference backend: managed arrays, SIMD through System.Numerics.Tensors, threads for large work.
/// Float32 and Float64 share one generic implementation; Int32 is supported for copies and indices.
/// </summary>
public sealed partial class CpuBackend : IBackend
{
    public static CpuBackend Instance { get; } = new();

    private CpuBackend() { }

    public Device Device => Device.Cpu;
    public string Name => "cpu-simd";
    public CpuBufferPool Pool { get; } = new();

    public Storage Allocate(DType dtype, int length)
    {
        if (length < 0) throw new ArgumentOutOfRangeException(nameof(length));
        return new CpuStorage(this, dtype, length, Pool.Rent(dtype, length));
    }

    public void Free(Storage storage) => Pool.Return(storage.DType, ((CpuStorage)storage).Data);

    internal static CpuStorage Cpu(Storage s) => s as CpuStorage
        ?? throw new InvalidOperationException($"A tensor on {s.Device} was passed to the CPU backend; move it with .To(Device.Cpu) first.");

    public void Upload<T>(ReadOnlySpan<T> source, Storage destination) where T : unmanaged
    {
        var d = Cpu(destination);
        if (source.Length > d.Length) throw new ArgumentException("Source is longer than the destination storage.");
        MemoryMarshal.AsBytes(source).CopyTo(MemoryMarshal.AsBytes(d.Data is T[] arr ? arr.AsSpan() : throw new ArgumentException($"Storage holds {d.DType.Name()}, not {typeof(T).Name}.")));
    }

    public void Download<T>(Storage source, Span<T> destination) where T : unmanaged
    {
        var s = Cpu(source);
        if (s.Data is not T[] arr) throw new ArgumentException($"Storage holds {s.DType.Name()}, not {typeof(T).Name}.");
        arr.AsSpan(0, Math.Min(s.Length, destination.Length)).CopyTo(destination);
    }

    public void Copy(in TensorView src, in TensorView dst)
    {
        if (!ShapeUtil.SameShape(src.Shape, dst.Shape))
            throw new ArgumentException($"Copy needs equal shapes, got {ShapeUtil.Format(src.Shape)} and {ShapeUtil.Format(dst.Shape)}.");
        var s = Cpu(src.Storage); var d = Cpu(dst.Storage);
        switch (s.Data, d.Data)
        {
            case (float[] a, float[] b): CopyT(a, b, src, dst); break;
            case (double[] a, double[] b): CopyT(a, b, src, dst); break;
            case (int[] a, int[] b): CopyT(a, b, src, dst); break;
            default: Convert(src, dst); break;
        }
    }

    private static void CopyT<T>(T[] a, T[] b, TensorView src, TensorView dst) where T : unmanaged
    {
        var loop = new StridedLoop(dst.Shape, [src, dst]);
        int ss = loop.InnerStrides[0], ds = loop.InnerStrides[1];
        loop.Run((o, n) =>
        {
            if (ss == 1 && ds == 1) a.AsSpan(o[0], n).CopyTo(b.AsSpan(o[1], n));
            else if (ss == 0 && ds == 1) b.AsSpan(o[1], n).Fill(a[o[0]]);
            else for (int i = 0; i < n; i++) b[o[1] + i * ds] = a[o[0] + i * ss];
        });
    }

    private static void Convert(TensorView src, TensorView dst)
    {
        var s = Cpu(src.Storage); var d = Cpu(dst.Storage);
        var loop = new StridedLoop(dst.Shape, [src, dst]);
        int ss = loop.InnerStrides[0], ds = loop.InnerStrides[1];
        loop.Run((o, n) =>
        {
            for (int i = 0; i < n; i++)
            {
                int si = o[0] + i * ss, di = o[1] + i * ds;
                double v = s.Data switch
                {
                    float[] f => f[si],
                    double[] g => g[si],
                    int[] k => k[si],
                    _ => throw new NotSupportedException(),
                };
                switch (d.Data)
                {
                    case float[] f: f[di] = (float)v; break;
                    case double[] g: g[di] = v; break;
                    case int[] k: k[di] = double.IsNaN(v) ? 0 : (int)Math.Clamp(Math.Truncate(v), int.MinValue, int.MaxValue); break;
                }
            }
        });
    }

    public void Fill(in TensorView dst, double value)
    {
        var d = Cpu(dst.Storage);
        var loop = new StridedLoop(dst.Shape, [dst]);
        int st = loop.InnerStrides[0];
        switch (d.Data)
        {
            case float[] f: FillT(f, (float)value); break;
            case double[] g: FillT(g, value); break;
            case int[] k: FillT(k, (int)value); break;
        }

        void FillT<T>(T[] arr, T v) where T : unmanaged => loop.Run((o, n) =>
        {
            if (st == 1) arr.AsSpan(o[0], n).Fill(v);
            else for (int i = 0; i < n; i++) arr[o[0] + i * st] = v;
        });
    }

    /// <summary>Dispatches a float32/float64 kernel; other dtypes get a clear error.</summary>
    private static void Floating(DType dtype, string what, Action<float> f32, Action<double> f64)
    {
        switch (dtype)
        {
            case DType.Float32: f32(0); break;
            case DType.Float64: f64(0); break;
            default: throw new NotSupportedException($"{what} needs a floating-point tensor, got {dtype.Name()}.");
        }
    }

    internal static void CheckSameDType(string what, params TensorView[] views)
    {
        for (int i = 1; i < views.Length; i++)
            if (views[i].DType != views[0].DType)
                throw new ArgumentException($"{what}: dtypes differ ({views[0].DType.Name()} vs {views[i].DType.Name()}); convert with .To(DType) first.");
    }

    internal static T[] Arr<T>(in TensorView v) where T : unmanaged => (T[])Cpu(v.Storage).Data;

    internal static bool IsFloat<T>() => typeof(T) == typeof(float);

    internal static T Cast<T>(double v) where T : INumberBase<T> => T.CreateTruncating(v);
}
