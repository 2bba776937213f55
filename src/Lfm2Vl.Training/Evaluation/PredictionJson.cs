using System.Text.Json;

namespace Lfm2Vl.Training.Evaluation;

/// <summary>Predictions as JSON (camelCase, indented): an array of { path, width, height, topK, boxes }.</summary>
public static class PredictionJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static string Serialize(IReadOnlyList<ImagePrediction> predictions) => JsonSerializer.Serialize(predictions, Options);

    public static IReadOnlyList<ImagePrediction> Deserialize(string json) =>
        JsonSerializer.Deserialize<List<ImagePrediction>>(json, Options)
        ?? throw new JsonException("The predictions JSON is 'null' instead of an array.");

    public static void Write(string path, IReadOnlyList<ImagePrediction> predictions)
    {
        if (Path.GetDirectoryName(path) is { Length: > 0 } dir) Directory.CreateDirectory(dir);
        File.WriteAllText(path, Serialize(predictions));
    }
}
