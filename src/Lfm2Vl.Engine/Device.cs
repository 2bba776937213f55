namespace Lfm2Vl.Engine;

/// <summary>Kinds of device a tensor can live on.</summary>
public enum DeviceKind
{
    /// <summary>The SIMD CPU backend in this assembly.</summary>
    Cpu,
    /// <summary>An NVIDIA GPU through ILGPU's CUDA accelerator.</summary>
    Cuda,
    /// <summary>An OpenCL device through ILGPU.</summary>
    OpenCL,
    /// <summary>ILGPU's CPU accelerator (a slow kernel simulator, for tests).</summary>
    IlgpuCpu,
}

/// <summary>A device: a kind plus an index among devices of that kind.</summary>
public readonly record struct Device(DeviceKind Kind, int Index = 0)
{
    public static Device Cpu => new(DeviceKind.Cpu);

    public override string ToString() => Kind switch
    {
        DeviceKind.Cpu => "cpu",
        DeviceKind.Cuda => $"cuda:{Index}",
        DeviceKind.OpenCL => $"opencl:{Index}",
        DeviceKind.IlgpuCpu => $"ilgpu-cpu:{Index}",
        _ => $"{Kind}:{Index}",
    };
}
