using System.Collections.Concurrent;
using ILGPU;
using ILGPU.Runtime;

namespace Lfm2Vl.Engine.Ilgpu;

/// <summary>
/// Device buffers by power-of-two byte size class, shared by all dtypes (a buffer is raw bytes viewed as the
/// storage's element type). A training step reuses the buffers its predecessor released, so once warmed up
/// it allocates no new device memory: <see cref="BuffersCreated"/> stays flat.
/// </summary>
public sealed class DeviceBufferPool : IDisposable
{
    private const int MinClass = 8; // 256 bytes
    private readonly ConcurrentBag<MemoryBuffer1D<byte, Stride1D.Dense>>[] _bins =
        Enumerable.Range(0, 48).Select(_ => new ConcurrentBag<MemoryBuffer1D<byte, Stride1D.Dense>>()).ToArray();
    private long _liveBytes, _pooledBytes, _created;

    /// <summary>Bytes handed out to live storages (by size class).</summary>
    public long LiveBytes => Interlocked.Read(ref _liveBytes);
    /// <summary>Bytes cached for reuse.</summary>
    public long PooledBytes => Interlocked.Read(ref _pooledBytes);
    /// <summary>Device allocations made since start: flat in a steady state.</summary>
    public long BuffersCreated => Interlocked.Read(ref _created);

    public static int SizeClass(long bytes) =>
        bytes <= 1L << MinClass ? MinClass : 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)(bytes - 1));

    /// <summary>A pooled buffer of at least <paramref name="bytes"/>, or a new one from <paramref name="allocate"/>.</summary>
    public MemoryBuffer1D<byte, Stride1D.Dense> Rent(long bytes, Func<long, MemoryBuffer1D<byte, Stride1D.Dense>> allocate)
    {
        int cls = SizeClass(bytes);
        long size = 1L << cls;
        if (_bins[cls].TryTake(out var buffer)) Interlocked.Add(ref _pooledBytes, -size);
        else
        {
            buffer = allocate(size);
            Interlocked.Increment(ref _created);
        }
        Interlocked.Add(ref _liveBytes, size);
        return buffer;
    }

    public void Return(MemoryBuffer1D<byte, Stride1D.Dense> buffer)
    {
        int cls = SizeClass(buffer.Length);
        Interlocked.Add(ref _liveBytes, -buffer.Length);
        Interlocked.Add(ref _pooledBytes, buffer.Length);
        _bins[cls].Add(buffer);
    }

    /// <summary>Frees every cached buffer (the device memory goes back to the driver).</summary>
    public void Trim()
    {
        foreach (var bin in _bins)
            while (bin.TryTake(out var b))
            {
                Interlocked.Add(ref _pooledBytes, -b.Length);
                b.Dispose();
            }
    }

    public void Dispose() => Trim();
}
