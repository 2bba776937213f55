using Lfm2Vl.Engine.Ilgpu;

namespace Lfm2Vl.Backends.Tests;

/// <summary>
/// A backend the conformance suite runs against: opened once per test run, or absent with the reason
/// (then its tests report "skipped" with that reason).
/// </summary>
public sealed class BackendTarget
{
    private readonly Lazy<(Device? Device, string? Why)> _open;

    private BackendTarget(string name, Func<(Device?, string?)> open)
    {
        Name = name;
        _open = new Lazy<(Device?, string?)>(open, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string Name { get; }
    public Device? Device => _open.Value.Device;
    public string? AbsentReason => _open.Value.Why;
    public IlgpuBackend? Ilgpu => Device is { Kind: not DeviceKind.Cpu } d ? DeviceSelector.Backend(d) : null;

    public static readonly BackendTarget SimdCpu = new("cpu", () => (Engine.Device.Cpu, null));
    public static readonly BackendTarget IlgpuCpu = new("ilgpu-cpu", () => OpenNamed("ilgpu-cpu"));
    public static readonly BackendTarget OpenCL = new("opencl", () =>
    {
        // PoCL (the CPU OpenCL installed for CI) has no generic address space: use the documented opt-in.
        IlgpuRuntime.AllowOpenCLWithoutGenericAddressSpace = true;
        return OpenNamed("opencl");
    });
    public static readonly BackendTarget Cuda = new("cuda", () => OpenNamed("cuda"));

    private static (Device?, string?) OpenNamed(string name) =>
        DeviceSelector.TrySelect(name, out var d, out var why) ? (d, null) : (null, why);

    /// <summary>The device, or a skipped test when it is absent.</summary>
    public Device Require()
    {
        Skip.If(Device is null, $"{Name} is not present here: {AbsentReason}");
        return Device!.Value;
    }

    public override string ToString() => Name;
}
