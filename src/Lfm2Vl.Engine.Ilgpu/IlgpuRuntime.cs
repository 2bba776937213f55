using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace Lfm2Vl.Engine.Ilgpu;

/// <summary>One accelerator ILGPU can see, with its engine device name and whether it can be opened.</summary>
public sealed record AcceleratorInfo(Device Device, string Name, bool Usable, string? Reason, ILGPU.Runtime.Device IlgpuDevice)
{
    public override string ToString() => Usable ? $"{Device} ({Name})" : $"{Device} ({Name}; not usable: {Reason})";
}

/// <summary>
/// The process-wide ILGPU context (ILGPU wants one per process) and the accelerators it found: CUDA GPUs,
/// OpenCL devices and ILGPU's CPU simulator. Nothing is initialized until a device is first asked for.
/// </summary>
public static class IlgpuRuntime
{
    private static readonly Lazy<Context> LazyContext = new(CreateContext, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// Opt-in for OpenCL devices without generic address space support (e.g. PoCL): see
    /// <see cref="OpenCLCompat"/>. Defaults to the environment variable LFM2VL_OPENCL_NO_GENERIC=1; must be
    /// set before such a device is opened.
    /// </summary>
    public static bool AllowOpenCLWithoutGenericAddressSpace { get; set; } =
        Environment.GetEnvironmentVariable(OpenCLCompat.EnvVar) == "1";

    /// <summary>Name of the environment variable behind <see cref="AllowOpenCLWithoutGenericAddressSpace"/>.</summary>
    public const string OpenCLNoGenericEnvVar = OpenCLCompat.EnvVar;

    public static Context Context => LazyContext.Value;

    // The simulator: 4 threads per warp, up to 64 threads per group, one multiprocessor. Small groups keep its
    // barriers (one OS thread per simulated thread) affordable on a small machine.
    private static readonly CPUDevice SimulatorDevice = new(4, 16, 1);

    private static Context CreateContext() => Context.Create(b => b
        .Cuda()
        .OpenCL(_ => true)
        .CPU(SimulatorDevice)
        .EnableAlgorithms());

    /// <summary>Every accelerator found, CUDA first, then OpenCL, then the CPU simulator.</summary>
    public static IReadOnlyList<AcceleratorInfo> Accelerators
    {
        get
        {
            var list = new List<AcceleratorInfo>();
            var ctx = Context;
            int i = 0;
            foreach (var d in ctx.GetCudaDevices()) list.Add(new(new Device(DeviceKind.Cuda, i++), d.Name, true, null, d));
            i = 0;
            foreach (var d in ctx.GetCLDevices())
            {
                bool generic = HasGenericAddressSpace(d);
                string? why = generic || AllowOpenCLWithoutGenericAddressSpace ? null
                    : $"no generic address space; set {OpenCLCompat.EnvVar}=1 to use it anyway";
                list.Add(new(new Device(DeviceKind.OpenCL, i++), $"{d.Name}, {d.PlatformName}, {d.DeviceType}", why is null, why, d));
            }
            i = 0;
            foreach (var d in ctx.GetDevices<CPUDevice>()) list.Add(new(new Device(DeviceKind.IlgpuCpu, i++), "ILGPU CPU simulator", true, null, d));
            return list;
        }
    }

    private static readonly Dictionary<CLDevice, bool> OriginalGeneric = new();

    /// <summary>Whether the device itself reports generic pointers (before any opt-in changed the flag).</summary>
    internal static bool HasGenericAddressSpace(CLDevice d)
    {
        lock (OriginalGeneric)
        {
            if (!OriginalGeneric.TryGetValue(d, out bool g)) OriginalGeneric[d] = g = d.Capabilities.GenericAddressSpace;
            return g;
        }
    }
}
