using ILGPU;
using ILGPU.Runtime;

namespace Lfm2Vl.Engine.Ilgpu;

/// <summary>A device buffer (from <see cref="DeviceBufferPool"/>, possibly larger than needed) holding one storage.</summary>
public sealed class IlgpuStorage : Storage
{
    internal IlgpuStorage(IlgpuBackend backend, DType dtype, int length, MemoryBuffer1D<byte, Stride1D.Dense> buffer)
        : base(backend, dtype, length)
    {
        Buffer = buffer;
    }

    internal MemoryBuffer1D<byte, Stride1D.Dense> Buffer { get; }

    internal long Bytes => (long)Length * DType.SizeInBytes();

    /// <summary>The float32 elements as an ILGPU view, for comparing against vendor libraries (cuBLAS) in benchmarks.</summary>
    public ArrayView<float> ViewForBenchmarks() => DType == DType.Float32
        ? View<float>()
        : throw new InvalidOperationException($"This storage holds {DType.Name()}, not float32.");

    /// <summary>The storage's elements as a typed view (T must match the dtype).</summary>
    internal ArrayView<T> View<T>() where T : unmanaged =>
        Buffer.View.AsContiguous().SubView(0, Math.Max(Bytes, 1)).Cast<T>();
}
