using Lfm2Vl.Engine;

namespace Lfm2Vl.Training;

/// <summary>
/// Finds the device a run's <c>device</c> setting names among those opened in this process. The training library
/// opens no accelerator itself (that needs the ILGPU backend, which NativeAOT builds leave out): the lfm2vl command
/// opens the device given with <c>--device</c>, and code opens one with
/// <c>Lfm2Vl.Engine.Ilgpu.DeviceSelector.Select(name)</c> before training.
/// </summary>
public static class TrainingDevice
{
    /// <summary>
    /// "cpu" is the SIMD CPU backend; "auto" the first opened CUDA, else OpenCL, device, else the CPU; any other name
    /// ("cuda", "cuda:1", "opencl:0", "ilgpu-cpu") an opened device of that name (index 0 when none is given).
    /// </summary>
    public static Device Resolve(string name)
    {
        var opened = BackendRegistry.Devices;
        var n = name.Trim().ToLowerInvariant();
        if (n is "cpu" or "") return Device.Cpu;
        if (n == "auto")
            return opened.Where(d => d.Kind == DeviceKind.Cuda).OrderBy(d => d.Index).FirstOrDefault(
                opened.Where(d => d.Kind == DeviceKind.OpenCL).OrderBy(d => d.Index).FirstOrDefault(Device.Cpu));
        var full = n.Contains(':') ? n : n + ":0";
        foreach (var d in opened)
            if (d.ToString() == full) return d;
        throw new ArgumentException(
            $"Device '{name}' is not open in this process (open: {string.Join(", ", opened)}). The lfm2vl command opens it with --device {name}; " +
            $"from code, open it first with Lfm2Vl.Engine.Ilgpu.DeviceSelector.Select(\"{name}\").");
    }
}
