using Lfm2Vl.Nn.Modules;

namespace Lfm2Vl.Nn.Serialization;

/// <summary>Saving and loading a module's state dict as a safetensors file.</summary>
public static class ModuleSafetensors
{
    /// <summary>Writes every parameter and persistent buffer (atomically).</summary>
    public static void SaveSafetensors(this Module module, string path, IReadOnlyDictionary<string, string>? metadata = null)
        => SafetensorsWriter.Save(path, module.StateDict(), metadata);

    /// <summary>Loads a file into the module by name (see <see cref="Module.LoadStateDict"/> for the checks).</summary>
    public static StateDictLoadResult LoadSafetensors(this Module module, string path, bool strict = true)
    {
        using var content = SafetensorsReader.Load(path);
        return module.LoadStateDict(content.Tensors, strict);
    }
}
