using System.Text.Json;
using Lfm2Vl.Vision.Models;

namespace Lfm2Vl.Training.Checkpoints;

/// <summary>
/// What a checkpoint says about its model, stored as JSON strings in the safetensors "__metadata__" map: the
/// model config (to rebuild it), class names, input normalization, metrics, and the engine version.
/// </summary>
public sealed record CheckpointMetadata
{
    public const string FormatName = "lfm2vl-checkpoint/1";

    public required ModelConfig Model { get; init; }
    public required IReadOnlyList<string> ClassNames { get; init; }
    public float[] NormalizeMean { get; init; } = [0.485f, 0.456f, 0.406f];
    public float[] NormalizeStd { get; init; } = [0.229f, 0.224f, 0.225f];
    public Dictionary<string, double> Metrics { get; init; } = new();
    public string EngineVersion { get; init; } = typeof(Lfm2Vl.Engine.Tensor).Assembly.GetName().Version?.ToString() ?? "unknown";
    /// <summary>The training config that produced the weights (JSON), when known.</summary>
    public string? TrainingConfigJson { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Serializer options that keep NaN metrics (e.g. mAP when detection is off) as "NaN".</summary>
    public static JsonSerializerOptions JsonOptions => Json;

    public Dictionary<string, string> ToStrings()
    {
        var d = new Dictionary<string, string>
        {
            ["format"] = FormatName,
            ["model_config"] = JsonSerializer.Serialize(Model, Json),
            ["class_names"] = JsonSerializer.Serialize(ClassNames),
            ["normalize_mean"] = JsonSerializer.Serialize(NormalizeMean),
            ["normalize_std"] = JsonSerializer.Serialize(NormalizeStd),
            ["metrics"] = JsonSerializer.Serialize(Metrics, Json),
            ["engine_version"] = EngineVersion,
        };
        if (TrainingConfigJson is not null) d["training_config"] = TrainingConfigJson;
        return d;
    }

    public static CheckpointMetadata FromStrings(IReadOnlyDictionary<string, string> m, string source)
    {
        string Get(string key) => m.TryGetValue(key, out var v) ? v
            : throw new InvalidDataException($"'{source}' is not an lfm2vl checkpoint: its metadata has no '{key}'.");
        if (Get("format") != FormatName)
            throw new InvalidDataException($"'{source}' has checkpoint format '{Get("format")}'; this version reads '{FormatName}'.");
        try
        {
            var model = JsonSerializer.Deserialize<ModelConfig>(Get("model_config"), Json)!;
            var names = JsonSerializer.Deserialize<string[]>(Get("class_names"))!;
            if (names.Length != model.NumClasses)
                throw new InvalidDataException($"'{source}' lists {names.Length} class names for a model with {model.NumClasses} classes.");
            return new CheckpointMetadata
            {
                Model = model,
                ClassNames = names,
                NormalizeMean = JsonSerializer.Deserialize<float[]>(Get("normalize_mean"))!,
                NormalizeStd = JsonSerializer.Deserialize<float[]>(Get("normalize_std"))!,
                Metrics = m.TryGetValue("metrics", out var mt) ? JsonSerializer.Deserialize<Dictionary<string, double>>(mt, Json)! : new(),
                EngineVersion = m.TryGetValue("engine_version", out var ev) ? ev : "unknown",
                TrainingConfigJson = m.TryGetValue("training_config", out var tc) ? tc : null,
            };
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{source}' has malformed checkpoint metadata: {e.Message}", e);
        }
    }
}
