using ILGPU.Runtime.OpenCL;

namespace Lfm2Vl.Engine.Ilgpu;

/// <summary>
/// Turns a device name from the command line (<c>--device auto|cuda|opencl|cpu|ilgpu-cpu</c>, optionally with
/// <c>:index</c>) into an engine <see cref="Device"/>, opening its accelerator and registering its backend
/// with <see cref="BackendRegistry"/> the first time. <c>auto</c> takes the first CUDA GPU, else the first
/// OpenCL GPU, else the SIMD CPU backend (OpenCL CPU devices such as PoCL are only used when named).
/// </summary>
public static class DeviceSelector
{
    public const string Choices = "auto, cuda[:i], opencl[:i], cpu, ilgpu-cpu";
    private static readonly Dictionary<Device, IlgpuBackend> Opened = new();

    /// <summary>Opens the named device (or throws <see cref="DeviceUnavailableException"/> listing what is present).</summary>
    public static Device Select(string name)
    {
        var (kind, index) = Parse(name);
        if (kind is null) return Auto();
        if (kind == DeviceKind.Cpu) return Device.Cpu;
        var target = new Device(kind.Value, index);
        lock (Opened) if (Opened.ContainsKey(target)) return target;
        var found = IlgpuRuntime.Accelerators.FirstOrDefault(a => a.Device == target);
        if (found is null)
            throw new DeviceUnavailableException($"Device '{name}' is not present. Present devices: {PresentList()}.");
        if (!found.Usable)
            throw new DeviceUnavailableException($"Device '{name}' ({found.Name}) cannot be used: {found.Reason}. Present devices: {PresentList()}.");
        return Open(found);
    }

    /// <summary>Like <see cref="Select"/>, but returns false (with the reason) instead of throwing.</summary>
    public static bool TrySelect(string name, out Device device, out string? reason)
    {
        try
        {
            device = Select(name);
            reason = null;
            return true;
        }
        catch (DeviceUnavailableException e)
        {
            device = default;
            reason = e.Message;
            return false;
        }
    }

    /// <summary>The ILGPU backend behind an opened device.</summary>
    public static IlgpuBackend Backend(Device device)
    {
        lock (Opened)
            return Opened.TryGetValue(device, out var b) ? b
                : throw new InvalidOperationException($"Device {device} has not been opened through DeviceSelector.Select.");
    }

    /// <summary>What can be chosen here, e.g. "cpu, ilgpu-cpu:0 (ILGPU CPU simulator), opencl:0 (...)".</summary>
    public static string PresentList() =>
        string.Join(", ", new[] { "cpu (SIMD CPU backend)" }.Concat(IlgpuRuntime.Accelerators.Select(a => a.ToString())));

    private static Device Auto()
    {
        var all = IlgpuRuntime.Accelerators;
        var pick = all.FirstOrDefault(a => a.Device.Kind == DeviceKind.Cuda && a.Usable)
            ?? all.FirstOrDefault(a => a.Device.Kind == DeviceKind.OpenCL && a.Usable
                && a.IlgpuDevice is CLDevice cl && cl.DeviceType.HasFlag(CLDeviceType.CL_DEVICE_TYPE_GPU));
        return pick is null ? Device.Cpu : Open(pick);
    }

    private static Device Open(AcceleratorInfo info)
    {
        lock (Opened)
        {
            if (Opened.ContainsKey(info.Device)) return info.Device;
            bool patch = false;
            if (info.IlgpuDevice is CLDevice cl && !IlgpuRuntime.HasGenericAddressSpace(cl))
            {
                OpenCLCompat.Admit(cl);
                patch = true;
            }
            var accelerator = info.IlgpuDevice.CreateAccelerator(IlgpuRuntime.Context);
            var backend = new IlgpuBackend(accelerator, info.Device, patch);
            Opened[info.Device] = backend;
            BackendRegistry.Register(backend);
            return info.Device;
        }
    }

    private static (DeviceKind? Kind, int Index) Parse(string name)
    {
        var s = name.Trim().ToLowerInvariant();
        int index = 0;
        int colon = s.IndexOf(':');
        if (colon >= 0)
        {
            if (!int.TryParse(s[(colon + 1)..], out index) || index < 0)
                throw new ArgumentException($"Bad device index in '{name}'. Choices: {Choices}.");
            s = s[..colon];
        }
        return s switch
        {
            "auto" => (null, 0),
            "cpu" => (DeviceKind.Cpu, 0),
            "cuda" or "gpu" => (DeviceKind.Cuda, index),
            "opencl" or "cl" => (DeviceKind.OpenCL, index),
            "ilgpu-cpu" => (DeviceKind.IlgpuCpu, index),
            _ => throw new ArgumentException($"Unknown device '{name}'. Choices: {Choices}."),
        };
    }
}
