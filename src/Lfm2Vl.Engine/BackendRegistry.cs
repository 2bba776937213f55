using Lfm2Vl.Engine.Backends.Cpu;

namespace Lfm2Vl.Engine;

/// <summary>Maps devices to backends. The CPU backend is always present; accelerator backends (ILGPU)
/// register themselves when their assembly initializes a device.</summary>
public static class BackendRegistry
{
    private static readonly Dictionary<Device, IBackend> Backends = new() { [Device.Cpu] = CpuBackend.Instance };
    private static readonly object Gate = new();

    public static void Register(IBackend backend)
    {
        lock (Gate) Backends[backend.Device] = backend;
    }

    public static IBackend Get(Device device)
    {
        lock (Gate)
        {
            if (Backends.TryGetValue(device, out var b)) return b;
            var present = string.Join(", ", Backends.Keys);
            throw new InvalidOperationException(
                $"No backend is initialized for device '{device}'. Initialized devices: {present}. " +
                "Accelerators are opened through the ILGPU backend (Lfm2Vl.Engine.Ilgpu) before tensors are moved there.");
        }
    }

    public static IReadOnlyCollection<Device> Devices
    {
        get { lock (Gate) return Backends.Keys.ToArray(); }
    }
}
