namespace Lfm2Vl.Engine.Backends.Cpu;

/// <summary>A CPU buffer: a managed array (float[], double[] or int[]) rented from <see cref="CpuBufferPool"/>,
/// possibly longer than <see cref="Storage.Length"/>.</summary>
public sealed class CpuStorage : Storage
{
    internal CpuStorage(IBackend backend, DType dtype, int length, Array data) : base(backend, dtype, length)
    {
        Data = data;
    }

    internal Array Data { get; }

    public Span<T> Span<T>() where T : unmanaged => ((T[])Data).AsSpan(0, Length);
    internal T[] Array<T>() where T : unmanaged => (T[])Data;
}
