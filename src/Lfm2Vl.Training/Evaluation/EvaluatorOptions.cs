using Lfm2Vl.Vision.Detection;

namespace Lfm2Vl.Training.Evaluation;

/// <summary>Settings of <see cref="ModelEvaluator"/>.</summary>
public sealed record EvaluatorOptions
{
    public int BatchSize { get; init; } = 32;

    /// <summary>The k values of top-k accuracy (those above the class count are dropped).</summary>
    public IReadOnlyList<int> TopK { get; init; } = [1, 5];

    /// <summary>How many most-confused class pairs to list.</summary>
    public int MostConfusedPairs { get; init; } = 5;

    /// <summary>
    /// Decoding for mAP: a low score threshold, as COCO evaluation ranks every detection (AP rewards
    /// confident detections through the ranking, not through a cut-off).
    /// </summary>
    public DecodeOptions MapDecode { get; init; } = new(ScoreThreshold: 0.05f, IouThreshold: 0.5f, PreNmsTopK: 1000, MaxDetections: 100);

    /// <summary>Decoding for predictions shown to a user.</summary>
    public DecodeOptions PredictDecode { get; init; } = new();
}
