using Lfm2Vl.Engine;
using Lfm2Vl.Nn.Modules;
using Lfm2Vl.Nn.Serialization;
using Lfm2Vl.Vision.Models;

namespace Lfm2Vl.Training.Checkpoints;

/// <summary>A model rebuilt from a checkpoint, with its class names and normalization.</summary>
public sealed record LoadedModel(Lfm2VlModel Model, CheckpointMetadata Metadata);

/// <summary>
/// Checkpoints are single safetensors files (nothing executable inside; readable by PyTorch users' tools):
/// model tensors under "model.", optional optimizer tensors under "optimizer.", and metadata (model config,
/// class names, normalization, metrics, trainer state) in the header. Written atomically (temp file, then
/// rename), so an interrupted write never replaces a good checkpoint.
/// </summary>
public static class Checkpoint
{
    public const string ModelPrefix = "model.";
    public const string OptimizerPrefix = "optimizer.";
    public const string TrainerStateKey = "trainer_state";

    /// <summary>Writes the model's weights and metadata (plus optimizer tensors and trainer state when given).</summary>
    public static void Save(string path, Lfm2VlModel model, CheckpointMetadata metadata,
        IEnumerable<KeyValuePair<string, Tensor>>? optimizerTensors = null, string? trainerStateJson = null)
    {
        var tensors = model.StateDict().Select(kv => new KeyValuePair<string, Tensor>(ModelPrefix + kv.Key, kv.Value)).ToList();
        if (optimizerTensors is not null)
            tensors.AddRange(optimizerTensors.Select(kv => new KeyValuePair<string, Tensor>(OptimizerPrefix + kv.Key, kv.Value)));
        var meta = metadata.ToStrings();
        if (trainerStateJson is not null) meta[TrainerStateKey] = trainerStateJson;
        SafetensorsWriter.Save(path, tensors, meta);
    }

    /// <summary>Reads only the header: metadata without loading any tensor (cheap, and safe on hostile files).</summary>
    public static CheckpointMetadata ReadMetadata(string path)
    {
        CheckExists(path);
        var header = SafetensorsReader.ReadHeader(path);
        return CheckpointMetadata.FromStrings(header.Metadata, path);
    }

    /// <summary>
    /// Rebuilds the model from its config and loads its weights (names and shapes checked), on the CPU or on
    /// <paramref name="device"/> (an accelerator must have been opened first, e.g. by the CLI's --device).
    /// </summary>
    public static LoadedModel LoadModel(string path, Device? device = null)
    {
        CheckExists(path);
        using var content = SafetensorsReader.Load(path);
        var meta = CheckpointMetadata.FromStrings(content.Metadata, path);
        var model = ModelRegistry.CreateForLoading(meta.Model);
        LoadWeights(model, content, path);
        model.Eval();
        if (device is { } d) model.To(d);
        return new LoadedModel(model, meta);
    }

    /// <summary>Copies the "model." tensors of a loaded file into a model, with a clear error on any mismatch.</summary>
    public static void LoadWeights(Module model, SafetensorsContent content, string source)
    {
        var weights = content.Tensors
            .Where(kv => kv.Key.StartsWith(ModelPrefix, StringComparison.Ordinal))
            .Select(kv => new KeyValuePair<string, Tensor>(kv.Key[ModelPrefix.Length..], kv.Value));
        try
        {
            model.LoadStateDict(weights, strict: true);
        }
        catch (StateDictMismatchException e)
        {
            throw new InvalidDataException($"The weights in '{source}' do not fit the model they describe: {e.Result.Describe()}", e);
        }
    }

    private static void CheckExists(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"Checkpoint '{path}' does not exist. Train a model first (lfm2vl train) or pass the path of a .safetensors checkpoint.", path);
    }
}
