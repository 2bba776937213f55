using System.Collections.Concurrent;

namespace Lfm2Vl.Engine.Backends.Cpu;

/// <summary>
/// Arrays by size class, per element type, so a training step reuses the buffers of the step before and the GC
/// sees almost no new large objects. Size classes are quarter octaves (64, 80, 96, 112, 128, 160, ...), so a
/// tensor wastes at most a quarter of its size to rounding: with power-of-two classes a ResNet-18 training step's
/// working set nearly doubled and overflowed the cap, and the overflow was allocated again every step. The pool
/// keeps at most <see cref="MaxPooledBytes"/>; beyond that, returned arrays are left to the GC.
/// </summary>
public sealed class CpuBufferPool
{
    private const int MinLength = 64;
    private const int MinExponent = 6; // MinLength = 2^6
    private const int MaxArrayLength = 0x7FFFFFC7; // the runtime's largest array of 4- or 8-byte elements
    private const int ClassCount = (31 - MinExponent) * 4 + 1;
    private readonly ConcurrentBag<Array>[,] _bins = new ConcurrentBag<Array>[3, ClassCount];
    private long _pooledBytes;
    private long _liveBytes;
    private long _arraysCreated;

    public CpuBufferPool()
    {
        for (int t = 0; t < 3; t++)
            for (int c = 0; c < ClassCount; c++)
                _bins[t, c] = new ConcurrentBag<Array>();
    }

    /// <summary>Upper bound on memory kept for reuse: by default half of the memory the process may use (the
    /// machine's or the container's limit), so a large model's step still finds its buffers from the step before.</summary>
    public long MaxPooledBytes { get; set; } = DefaultCap();
    /// <summary>Bytes of arrays currently handed out.</summary>
    public long LiveBytes => Interlocked.Read(ref _liveBytes);
    /// <summary>Bytes of arrays waiting in the pool.</summary>
    public long PooledBytes => Interlocked.Read(ref _pooledBytes);
    /// <summary>Arrays created since start: flat in a steady state.</summary>
    public long ArraysCreated => Interlocked.Read(ref _arraysCreated);

    private static long DefaultCap()
    {
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return available > 0 ? Math.Max(1L << 30, available / 2) : 4L << 30;
    }

    /// <summary>The class of a request and the array length that serves it. Lengths in (2^e, 2^(e+1)] fall in
    /// four steps of 2^(e-2); an array's own length maps back to its class.</summary>
    internal static (int Index, int Length) SizeClass(int length)
    {
        if (length <= MinLength) return (0, MinLength);
        int e = 31 - System.Numerics.BitOperations.LeadingZeroCount((uint)(length - 1)); // 2^e < length <= 2^(e+1)
        long step = 1L << (e - 2);
        long k = ((length - (1L << e)) + step - 1) / step; // 1..4
        long size = (1L << e) + k * step;
        return ((e - MinExponent) * 4 + (int)k, (int)Math.Min(size, MaxArrayLength));
    }

    public Array Rent(DType dtype, int length)
    {
        var (cls, n) = SizeClass(length);
        long bytes = (long)n * dtype.SizeInBytes();
        var bin = _bins[(int)dtype, cls];
        if (bin.TryTake(out var arr))
        {
            Interlocked.Add(ref _pooledBytes, -bytes);
        }
        else
        {
            arr = dtype switch
            {
                DType.Float32 => GC.AllocateUninitializedArray<float>(n),
                DType.Float64 => GC.AllocateUninitializedArray<double>(n),
                DType.Int32 => GC.AllocateUninitializedArray<int>(n),
                _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
            };
            Interlocked.Increment(ref _arraysCreated);
        }
        Interlocked.Add(ref _liveBytes, bytes);
        return arr;
    }

    public void Return(DType dtype, Array arr)
    {
        var (cls, n) = SizeClass(arr.Length);
        long bytes = (long)arr.Length * dtype.SizeInBytes();
        Interlocked.Add(ref _liveBytes, -bytes);
        if (n != arr.Length) return; // not one of ours: let the GC have it
        if (Interlocked.Read(ref _pooledBytes) + bytes > MaxPooledBytes) return;
        Interlocked.Add(ref _pooledBytes, bytes);
        _bins[(int)dtype, cls].Add(arr);
    }

    /// <summary>Drops every pooled array (the GC reclaims them).</summary>
    public void Trim()
    {
        for (int t = 0; t < 3; t++)
            for (int c = 0; c < ClassCount; c++)
                while (_bins[t, c].TryTake(out _)) { }
        Interlocked.Exchange(ref _pooledBytes, 0);
    }
}
