using System.Text.Json;
using Lfm2Vl.Nn.Serialization;
using Lfm2Vl.Training.Checkpoints;
using Lfm2Vl.Vision.Models;

namespace Lfm2Vl.Inference.Aot;

/// <summary>A checkpoint read without reflection: the model rebuilt from its config, weights loaded, eval mode.</summary>
public sealed record NativeCheckpoint(Lfm2VlModel Model, IReadOnlyList<string> ClassNames, float[] Mean, float[] Std)
{
    /// <summary>Milliseconds spent reading the file, building the model and copying the weights (for the cold-start report).</summary>
    public (double Read, double Build, double Copy) Timings { get; private init; }

    public static NativeCheckpoint Load(string path)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        if (!File.Exists(path)) throw new FileNotFoundException($"Checkpoint '{path}' does not exist.", path);
        using var content = SafetensorsReader.Load(path);
        string Get(string key) => content.Metadata.TryGetValue(key, out var v) ? v
            : throw new InvalidDataException($"'{path}' is not an lfm2vl checkpoint: its metadata has no '{key}'.");
        if (Get("format") != CheckpointMetadata.FormatName)
            throw new InvalidDataException($"'{path}' has checkpoint format '{Get("format")}'; this version reads '{CheckpointMetadata.FormatName}'.");
        var config = JsonSerializer.Deserialize(Get("model_config"), AotJson.Default.ModelConfig)!;
        var names = JsonSerializer.Deserialize(Get("class_names"), AotJson.Default.StringArray)!;
        var mean = JsonSerializer.Deserialize(Get("normalize_mean"), AotJson.Default.SingleArray)!;
        var std = JsonSerializer.Deserialize(Get("normalize_std"), AotJson.Default.SingleArray)!;
        if (names.Length != config.NumClasses)
            throw new InvalidDataException($"'{path}' lists {names.Length} class names for a model with {config.NumClasses} classes.");
        double read = sw.Elapsed.TotalMilliseconds;
        var model = ModelRegistry.CreateForLoading(config);
        double build = sw.Elapsed.TotalMilliseconds;
        Checkpoint.LoadWeights(model, content, path);
        model.Eval();
        return new NativeCheckpoint(model, names, mean, std) { Timings = (read, build - read, sw.Elapsed.TotalMilliseconds - build) };
    }
}
