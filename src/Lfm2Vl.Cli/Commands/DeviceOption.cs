using Lfm2Vl.Engine;
using Lfm2Vl.Engine.Ilgpu;

namespace Lfm2Vl.Cli.Commands;

/// <summary>
/// The --device option of the commands that run a model: opens the named device through the ILGPU backend
/// (registering it with the engine) so that the training library and the evaluator find it by name.
/// </summary>
internal static class DeviceOption
{
    public const string Help = "auto (the default: a CUDA GPU, else an OpenCL GPU, else the CPU), cuda[:i], opencl[:i], cpu, " +
                               "or ilgpu-cpu (ILGPU's slow CPU simulator, for tests). `lfm2vl info` lists what is present.";

    /// <summary>Opens the device (default "auto"); an absent one throws with the list of present devices.</summary>
    public static Device Open(string? name) => DeviceSelector.Select(string.IsNullOrWhiteSpace(name) ? "auto" : name);

    /// <summary>Every device this machine offers, for `lfm2vl info`.</summary>
    public static string Present() => DeviceSelector.PresentList();
}
