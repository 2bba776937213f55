namespace Lfm2Vl.Engine;

public sealed partial class Tensor
{
    /// <summary>An uninitialized contiguous tensor.</summary>
    public static Tensor Empty(int[] shape, DType dtype = DType.Float32, Device? device = null)
    {
        var backend = BackendRegistry.Get(device ?? Device.Cpu);
        return new Tensor(backend.Allocate(dtype, ShapeUtil.Numel(shape)), (int[])shape.Clone());
    }

    public static Tensor Full(int[] shape, double value, DType dtype = DType.Float32, Device? device = null)
    {
        var t = Empty(shape, dtype, device);
        t.Backend.Fill(t.View, value);
        return t;
    }

    public static Tensor Zeros(int[] shape, DType dtype = DType.Float32, Device? device = null) => Full(shape, 0, dtype, device);
    public static Tensor Ones(int[] shape, DType dtype = DType.Float32, Device? device = null) => Full(shape, 1, dtype, device);
    public static Tensor ZerosLike(Tensor t) => Zeros(t._shape, t.DType, t.Device);
    public static Tensor OnesLike(Tensor t) => Ones(t._shape, t.DType, t.Device);
    public static Tensor FullLike(Tensor t, double value) => Full(t._shape, value, t.DType, t.Device);

    /// <summary>A rank-0 tensor.</summary>
    public static Tensor Scalar(double value, DType dtype = DType.Float32, Device? device = null) => Full([], value, dtype, device);

    public static Tensor FromArray(float[] data, params int[] shape) => From<float>(data, DType.Float32, shape);
    public static Tensor FromArray(double[] data, params int[] shape) => From<double>(data, DType.Float64, shape);
    public static Tensor FromArray(int[] data, params int[] shape) => From<int>(data, DType.Int32, shape);

    /// <summary>Copies host data into a new tensor on a device.</summary>
    public static Tensor From<T>(ReadOnlySpan<T> data, DType dtype, int[] shape, Device? device = null) where T : unmanaged
    {
        if (shape.Length == 0 && data.Length != 1 || shape.Length > 0 && ShapeUtil.Numel(shape) != data.Length)
            throw new ArgumentException($"{data.Length} values cannot fill a tensor of shape {ShapeUtil.Format(shape)}.");
        var t = Empty(shape, dtype, device);
        t.Backend.Upload(data, t.Storage);
        return t;
    }

    /// <summary>0, 1, ..., n-1.</summary>
    public static Tensor Arange(int n, DType dtype = DType.Float32, Device? device = null)
    {
        return dtype switch
        {
            DType.Int32 => From<int>(Enumerable.Range(0, n).ToArray(), dtype, [n], device),
            DType.Float64 => From<double>(Enumerable.Range(0, n).Select(i => (double)i).ToArray(), dtype, [n], device),
            _ => From<float>(Enumerable.Range(0, n).Select(i => (float)i).ToArray(), dtype, [n], device),
        };
    }

    /// <summary>Uniform values in [lo, hi).</summary>
    public static Tensor Rand(int[] shape, Generator gen, double lo = 0, double hi = 1, DType dtype = DType.Float32, Device? device = null)
    {
        int n = ShapeUtil.Numel(shape);
        var v = new double[n];
        for (int i = 0; i < n; i++) v[i] = gen.NextUniform(lo, hi);
        return FromDoubles(v, shape, dtype, device);
    }

    /// <summary>Normal values with the given mean and standard deviation.</summary>
    public static Tensor Randn(int[] shape, Generator gen, double mean = 0, double std = 1, DType dtype = DType.Float32, Device? device = null)
    {
        int n = ShapeUtil.Numel(shape);
        var v = new double[n];
        for (int i = 0; i < n; i++) v[i] = mean + std * gen.NextNormal();
        return FromDoubles(v, shape, dtype, device);
    }

    /// <summary>Integers uniform in [0, high).</summary>
    public static Tensor RandInt(int[] shape, int high, Generator gen, Device? device = null)
    {
        int n = ShapeUtil.Numel(shape);
        var v = new int[n];
        for (int i = 0; i < n; i++) v[i] = gen.NextInt(high);
        return From<int>(v, DType.Int32, shape, device);
    }

    /// <summary>Creates a tensor of any dtype from double values (converted).</summary>
    public static Tensor FromDoubles(double[] values, int[] shape, DType dtype = DType.Float32, Device? device = null) => dtype switch
    {
        DType.Float64 => From<double>(values, dtype, shape, device),
        DType.Float32 => From<float>(values.Select(x => (float)x).ToArray(), dtype, shape, device),
        DType.Int32 => From<int>(values.Select(x => (int)x).ToArray(), dtype, shape, device),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
    };

    // ---- reading data back ----------------------------------------------------------------------

    /// <summary>A row-major copy of the elements (T must match the dtype).</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        ThrowIfDisposed();
        using var c = IsContiguous && Offset == 0 ? NewHandle() : ContiguousCopy();
        var result = new T[Numel];
        c.Backend.Download<T>(c.Storage, result);
        return result;
    }

    /// <summary>The elements as doubles, whatever the dtype.</summary>
    public double[] ToDoubleArray() => DType switch
    {
        DType.Float32 => Array.ConvertAll(ToArray<float>(), x => (double)x),
        DType.Float64 => ToArray<double>(),
        DType.Int32 => Array.ConvertAll(ToArray<int>(), x => (double)x),
        _ => throw new NotSupportedException(),
    };

    /// <summary>The elements as floats, whatever the dtype.</summary>
    public float[] ToFloatArray() => DType == DType.Float32 ? ToArray<float>() : Array.ConvertAll(ToDoubleArray(), x => (float)x);

    /// <summary>The value of a one-element tensor.</summary>
    public double Item()
    {
        if (Numel != 1) throw new InvalidOperationException($"Item() needs a tensor with one element; this one has shape {ShapeUtil.Format(_shape)}.");
        return ToDoubleArray()[0];
    }

    /// <summary>Element at a multi-index (for tests and debugging; slow).</summary>
    [System.Runtime.CompilerServices.IndexerName("At")]
    public double this[params int[] index]
    {
        get
        {
            if (index.Length != Rank) throw new ArgumentException($"Expected {Rank} indices.");
            int off = Offset;
            for (int d = 0; d < Rank; d++)
            {
                if (index[d] < 0 || index[d] >= _shape[d]) throw new IndexOutOfRangeException($"Index {index[d]} out of range for dimension {d} of size {_shape[d]}.");
                off += index[d] * _strides[d];
            }
            using var one = new Tensor(Storage, off, [], [], retain: true);
            return one.ContiguousCopy().ToDoubleArray()[0];
        }
    }

    /// <summary>A contiguous copy that does not take part in autograd.</summary>
    internal Tensor ContiguousCopy()
    {
        var r = new Tensor(Backend.Allocate(DType, Numel), (int[])_shape.Clone());
        Backend.Copy(View, r.View);
        return r;
    }
}
