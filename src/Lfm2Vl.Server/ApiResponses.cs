using Lfm2Vl.Training.Evaluation;

namespace Lfm2Vl.Server;

/// <summary>Milliseconds spent reading and decoding, waiting for the model, running it, and in all.</summary>
public sealed record Timing(double DecodeMs, double QueueMs, double InferenceMs, double TotalMs);

/// <summary>One image's answer: its name and size, the top-k classes (most probable first) and boxes in its pixels.</summary>
public sealed record ImageResult(string Name, int Width, int Height, IReadOnlyList<ClassProbability> Predictions, IReadOnlyList<PredictedBox> Boxes)
{
    public static ImageResult From(ImagePrediction p) => new(p.Path, p.Width, p.Height, p.TopK, p.Boxes);
}

/// <summary>POST /predict's body.</summary>
public sealed record PredictResponse(string Name, int Width, int Height, IReadOnlyList<ClassProbability> Predictions, IReadOnlyList<PredictedBox> Boxes, Timing Timing);

/// <summary>POST /predict/batch's body: results in upload order.</summary>
public sealed record BatchResponse(IReadOnlyList<ImageResult> Results, Timing Timing);

/// <summary>GET /health's body.</summary>
public sealed record HealthResponse(string Status, string Model, int QueueLength, int InFlight, long Served, long Rejected, double UptimeSeconds);

/// <summary>Every 4xx/5xx body.</summary>
public sealed record ErrorResponse(string Error);
