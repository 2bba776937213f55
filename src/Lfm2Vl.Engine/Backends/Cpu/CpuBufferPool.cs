using System.Collections.Concurrent;

namespace Lfm2Vl.Engine.Backends.Cpu;

/// <summary>
/// Arrays by power-of-two size class, per element type, so a training step reuses the buffers of the step
/// before and the GC sees almost no new large objects. The pool keeps at most <see cref="MaxPooledBytes"/>;
/// beyond that, returned arrays are left to the GC.
/// </summary>
public sealed class CpuBufferPool
{
    private const int MinClass = 6; // 64 elements
    private readonly ConcurrentBag<Array>[,] _bins = new ConcurrentBag<Array>[3, 32];
    private long _pooledBytes;
    private long _liveBytes;
    private long _arraysCreated;

    public CpuBufferPool()
    {
        for (int t = 0; t < 3; t++)
            for (int c = 0; c < 32; c++)
                _bins[t, c] = new ConcurrentBag<Array>();
    }

    /// <summary>Upper bound on memory kept for reuse (default 4 GiB).</summary>
    public long MaxPooledBytes { get; set; } = 4L << 30;
    /// <summary>Bytes of arrays currently handed out.</summary>
    public long LiveBytes => Interlocked.Read(ref _liveBytes);
    /// <summary>Bytes of arrays waiting in the pool.</summary>
    public long PooledBytes => Interlocked.Read(ref _pooledBytes);
    /// <summary>Arrays created since start: flat in a steady state.</summary>
    public long ArraysCreated => Interlocked.Read(ref _arraysCreated);

    private static int SizeClass(int length)
    {
        int c = length <= 1 << MinClass ? MinClass : 32 - System.Numerics.BitOperations.LeadingZeroCount((uint)(length - 1));
        return c;
    }

    private static long Bytes(DType dtype, int cls) => (1L << cls) * dtype.SizeInBytes();

    public Array Rent(DType dtype, int length)
    {
        int cls = SizeClass(length);
        var bin = _bins[(int)dtype, cls];
        if (bin.TryTake(out var arr))
        {
            Interlocked.Add(ref _pooledBytes, -Bytes(dtype, cls));
        }
        else
        {
            int n = 1 << cls;
            if (cls >= 31) n = int.MaxValue - 64; // largest array a single tensor can use
            arr = dtype switch
            {
                DType.Float32 => GC.AllocateUninitializedArray<float>(n),
                DType.Float64 => GC.AllocateUninitializedArray<double>(n),
                DType.Int32 => GC.AllocateUninitializedArray<int>(n),
                _ => throw new ArgumentOutOfRangeException(nameof(dtype)),
            };
            Interlocked.Increment(ref _arraysCreated);
        }
        Interlocked.Add(ref _liveBytes, Bytes(dtype, cls));
        return arr;
    }

    public void Return(DType dtype, Array arr)
    {
        int cls = SizeClass(arr.Length);
        if (arr.Length != 1 << cls && cls < 31) cls--; // never happens for our own arrays; be safe
        long bytes = Bytes(dtype, cls);
        Interlocked.Add(ref _liveBytes, -bytes);
        if (Interlocked.Read(ref _pooledBytes) + bytes > MaxPooledBytes) return;
        Interlocked.Add(ref _pooledBytes, bytes);
        _bins[(int)dtype, cls].Add(arr);
    }

    /// <summary>Drops every pooled array (the GC reclaims them).</summary>
    public void Trim()
    {
        for (int t = 0; t < 3; t++)
            for (int c = 0; c < 32; c++)
                while (_bins[t, c].TryTake(out _)) { }
        Interlocked.Exchange(ref _pooledBytes, 0);
    }
}
