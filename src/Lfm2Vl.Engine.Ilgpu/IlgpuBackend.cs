using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.OpenCL;
using Lfm2Vl.Kernels;

namespace Lfm2Vl.Engine.Ilgpu;

/// <summary>Which GEMM kernel <see cref="IlgpuBackend.MatMul"/> and convolutions use.</summary>
public enum GemmKernelMode
{
    /// <summary>Tiled for products large enough to fill tiles, naive for tiny ones (and on the CPU simulator).</summary>
    Auto,
    /// <summary>Always the shared-memory tiled kernel.</summary>
    Tiled,
    /// <summary>Always the one-thread-per-element reference kernel.</summary>
    Naive,
}

/// <summary>
/// The engine's primitives as ILGPU kernels on one accelerator. All work goes, in order, to the accelerator's
/// default stream; the only host copies are <see cref="Upload{T}"/> and <see cref="Download{T}"/> (which waits
/// for the stream). Kernels compile on first use and are cached; buffers come from a size-class pool.
/// Calls are serialized by a lock, so tensors may be used from several threads.
/// </summary>
public sealed partial class IlgpuBackend : IBackend, IDisposable
{
    private readonly object _gate = new();
    private readonly AcceleratorStream _stream;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _errorFlag;
    private readonly bool _fp64;
    private readonly int _linearGroup, _rowGroup, _maxGroups;

    internal IlgpuBackend(Accelerator accelerator, Device device, bool patchOpenCL)
    {
        Accelerator = accelerator;
        Device = device;
        _stream = accelerator.DefaultStream;
        Cache = new KernelCache(accelerator, patchOpenCL);
        IsSimulator = accelerator is CPUAccelerator;
        _fp64 = accelerator switch
        {
            CLAccelerator cl => cl.Capabilities.Float64,
            _ => true, // CUDA GPUs and the CPU simulator have float64
        };
        int maxThreads = Math.Max(1, accelerator.MaxNumThreadsPerGroup);
        // Row kernels reduce through a power-of-two tree of at most GroupTree.MaxGroup threads.
        _rowGroup = (int)Math.Min(System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Min(IsSimulator ? 32 : 256, maxThreads)), GroupTree.MaxGroup);
        if (_rowGroup > maxThreads) _rowGroup /= 2;
        _linearGroup = Math.Min(IsSimulator ? 32 : 256, maxThreads);
        _maxGroups = Math.Clamp(accelerator.NumMultiprocessors * 64, 64, 65535);
        BigTiles = !IsSimulator && maxThreads >= 256;
        _errorFlag = accelerator.Allocate1D<int>(1);
        _errorFlag.MemSetToZero(_stream);
    }

    public Accelerator Accelerator { get; }
    public Device Device { get; }
    public string Name => $"ilgpu-{Accelerator.AcceleratorType.ToString().ToLowerInvariant()} ({Accelerator.Name})";
    public DeviceBufferPool Pool { get; } = new();
    internal KernelCache Cache { get; }
    /// <summary>Kernels compiled on this device so far (each instantiation once).</summary>
    public int KernelsCompiled => Cache.Compiled;
    /// <summary>ILGPU's CPU accelerator: a slow simulator for tests.</summary>
    public bool IsSimulator { get; }
    /// <summary>64x64 GEMM tiles (else 16x16, for the simulator).</summary>
    public bool BigTiles { get; }
    public bool SupportsFloat64 => _fp64;
    public GemmKernelMode GemmMode { get; set; } = GemmKernelMode.Auto;
    /// <summary>Reductions and softmax rows at least this long use one group per row; shorter ones a thread.</summary>
    public int GroupThreshold { get; set; } = 128;
    /// <summary>Optional cap on device memory held by this backend (live plus cached), in bytes.</summary>
    public long? MemoryLimitBytes { get; set; }

    // ---- launching ----------------------------------------------------------------------------------

    /// <summary>
    /// Runs device work under the backend lock, with the accelerator bound to this thread (CUDA contexts are
    /// per thread, and another accelerator may have been bound since; binding is cheap).
    /// </summary>
    private void Run(Action work)
    {
        lock (_gate)
        {
            Accelerator.Bind();
            work();
        }
    }

    /// <summary>A grid-stride launch over n elements.</summary>
    private KernelConfig Linear(long n)
    {
        long groups = Math.Clamp((n + _linearGroup - 1) / _linearGroup, 1, _maxGroups);
        return new KernelConfig((int)groups, _linearGroup);
    }

    /// <summary>One group per row (grid-stride over rows).</summary>
    private KernelConfig Rows(long rows) => new((int)Math.Clamp(rows, 1, 65535), _rowGroup);

    private ArrayView<int> ErrorView => _errorFlag.View.AsContiguous();

    internal static IlgpuStorage Dev(Storage s) => s as IlgpuStorage
        ?? throw new InvalidOperationException($"A tensor on {s.Device} was passed to an ILGPU backend; move it with .To(device) first.");

    private static ArrayView<T> V<T>(in TensorView v) where T : unmanaged => Dev(v.Storage).View<T>();

    private static void CheckSameDType(string what, params TensorView[] views)
    {
        for (int i = 1; i < views.Length; i++)
            if (views[i].DType != views[0].DType)
                throw new ArgumentException($"{what}: dtypes differ ({views[0].DType.Name()} vs {views[i].DType.Name()}); convert with .To(DType) first.");
    }

    /// <summary>Dispatches a float32/float64 implementation; other dtypes get a clear error.</summary>
    private static void Floating(DType dtype, string what, Action f32, Action f64)
    {
        switch (dtype)
        {
            case DType.Float32: f32(); break;
            case DType.Float64: f64(); break;
            default: throw new NotSupportedException($"{what} needs a floating-point tensor, got {dtype.Name()}.");
        }
    }

    // ---- memory -------------------------------------------------------------------------------------

    public Storage Allocate(DType dtype, int length)
    {
        if (length < 0) throw new ArgumentOutOfRangeException(nameof(length));
        if (dtype == DType.Float64 && !_fp64)
            throw new NotSupportedException($"Device {Device} ({Accelerator.Name}) has no float64 support; use float32 tensors here or run float64 work on the CPU.");
        long bytes = Math.Max((long)length * dtype.SizeInBytes(), 1);
        var buffer = Pool.Rent(bytes, size => AllocateBuffer(size, dtype, length));
        return new IlgpuStorage(this, dtype, length, buffer);
    }

    private MemoryBuffer1D<byte, Stride1D.Dense> AllocateBuffer(long size, DType dtype, int length)
    {
        if (MemoryLimitBytes is { } limit && Pool.LiveBytes + Pool.PooledBytes + size > limit)
        {
            Pool.Trim();
            if (Pool.LiveBytes + size > limit) throw OutOfMemory(dtype, length, size, null);
        }
        try
        {
            lock (_gate) return Accelerator.Allocate1D<byte>(size);
        }
        catch (Exception first) when (first is not DeviceOutOfMemoryException)
        {
            // Give the cached buffers back to the driver and try once more before giving up.
            Pool.Trim();
            try
            {
                lock (_gate) return Accelerator.Allocate1D<byte>(size);
            }
            catch (Exception e)
            {
                throw OutOfMemory(dtype, length, size, e);
            }
        }
    }

    private DeviceOutOfMemoryException OutOfMemory(DType dtype, int length, long size, Exception? inner)
    {
        static string MiB(long b) => $"{b / (1024.0 * 1024.0):F1} MiB";
        return new DeviceOutOfMemoryException(
            $"Out of memory on {Device} ({Accelerator.Name}): a tensor of {length} {dtype.Name()} elements needs {MiB(size)}, " +
            $"while {MiB(Pool.LiveBytes)} are held by live tensors (device total {MiB(Accelerator.MemorySize)}" +
            (MemoryLimitBytes is { } l ? $", backend limit {MiB(l)}" : "") +
            "). Lower the batch size (or the input resolution), or release tensors you no longer need (TensorScope, Dispose)." +
            (inner is null ? "" : $" Driver message: {inner.GetBaseException().Message}"), inner);
    }

    public void Free(Storage storage) => Pool.Return(Dev(storage).Buffer);

    private static void CheckElementType<T>(DType dtype)
    {
        bool ok = dtype switch
        {
            DType.Float32 => typeof(T) == typeof(float),
            DType.Float64 => typeof(T) == typeof(double),
            DType.Int32 => typeof(T) == typeof(int),
            _ => false,
        };
        if (!ok) throw new ArgumentException($"Storage holds {dtype.Name()}, not {typeof(T).Name}.");
    }

    public void Upload<T>(ReadOnlySpan<T> source, Storage destination) where T : unmanaged
    {
        var d = Dev(destination);
        CheckElementType<T>(d.DType);
        if (source.Length > d.Length) throw new ArgumentException("Source is longer than the destination storage.");
        if (source.IsEmpty) return;
        var bytes = MemoryMarshal.AsBytes(source);
        lock (_gate)
        {
            Accelerator.Bind();
            d.Buffer.View.SubView(0, bytes.Length).CopyFromCPU(_stream, bytes);
        }
    }

    public void Download<T>(Storage source, Span<T> destination) where T : unmanaged
    {
        var s = Dev(source);
        CheckElementType<T>(s.DType);
        int n = Math.Min(s.Length, destination.Length);
        lock (_gate)
        {
            Accelerator.Bind();
            if (n > 0)
            {
                var bytes = MemoryMarshal.AsBytes(destination[..n]);
                s.Buffer.View.SubView(0, bytes.Length).CopyToCPU(_stream, bytes);
            }
            _stream.Synchronize();
            ThrowDeviceErrors();
        }
    }

    /// <summary>Waits for all queued work and reports errors kernels flagged (such as indices out of range).</summary>
    public void Synchronize()
    {
        lock (_gate)
        {
            Accelerator.Bind();
            _stream.Synchronize();
            ThrowDeviceErrors();
        }
    }

    private void ThrowDeviceErrors()
    {
        var flag = new int[1];
        _errorFlag.View.CopyToCPU(_stream, flag);
        if (flag[0] == IndexErrorCode.None) return;
        _errorFlag.MemSetToZero(_stream);
        string op = flag[0] == IndexErrorCode.Gather ? "gather/index_select" : "scatter_add/index_add";
        throw new IndexOutOfRangeException(
            $"An index passed to {op} on {Device} was out of range (detected on the device, so reported at this synchronization; " +
            "the offending elements were skipped or zeroed).");
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _stream.Synchronize();
            Pool.Dispose();
            _errorFlag.Dispose();
        }
    }
}
