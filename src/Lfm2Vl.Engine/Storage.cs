namespace Lfm2Vl.Engine;

/// <summary>
/// A flat buffer owned by a backend. Tensors are views over storage; every tensor that views a storage
/// holds one reference, and the buffer goes back to its backend's pool when the last one is released.
/// A storage that is never released is simply collected by the GC (it is then not reused).
/// </summary>
public abstract class Storage
{
    private int _refCount = 1;

    protected Storage(IBackend backend, DType dtype, int length)
    {
        Backend = backend;
        DType = dtype;
        Length = length;
    }

    public IBackend Backend { get; }
    public DType DType { get; }
    /// <summary>Number of elements (not bytes).</summary>
    public int Length { get; }
    public Device Device => Backend.Device;
    public bool IsReleased => Volatile.Read(ref _refCount) <= 0;
    /// <summary>How many tensors view this storage.</summary>
    internal int RefCount => Volatile.Read(ref _refCount);

    internal void Retain()
    {
        if (Interlocked.Increment(ref _refCount) <= 1)
            throw new ObjectDisposedException(nameof(Storage), "Cannot retain a storage that was already released.");
    }

    internal void Release()
    {
        int n = Interlocked.Decrement(ref _refCount);
        if (n == 0) Backend.Free(this);
        else if (n < 0) throw new InvalidOperationException("Storage released more often than retained (internal error).");
    }
}
