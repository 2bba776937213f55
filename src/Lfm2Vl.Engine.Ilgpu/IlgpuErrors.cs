using ILGPU.Runtime;

namespace Lfm2Vl.Engine.Ilgpu;

/// <summary>A device was asked for by name but is not present (the message lists what is).</summary>
public sealed class DeviceUnavailableException(string message) : InvalidOperationException(message);

/// <summary>The device could not hold a new buffer, even after the pool released what it cached.</summary>
public sealed class DeviceOutOfMemoryException(string message, Exception? inner = null) : InvalidOperationException(message, inner);

/// <summary>A kernel failed to compile or load for a device; the message carries the backend's own log.</summary>
public sealed class KernelCompilationException : InvalidOperationException
{
    public KernelCompilationException(string kernel, Accelerator accelerator, string detail, Exception? inner = null)
        : base($"Kernel {kernel} could not be compiled for {accelerator.AcceleratorType} device '{accelerator.Name}': {detail}", inner)
    {
        Kernel = kernel;
    }

    /// <summary>The kernel's name with its type arguments, e.g. SoftmaxKernels.ForwardGroup&lt;Single, F32&gt;.</summary>
    public string Kernel { get; }
}
