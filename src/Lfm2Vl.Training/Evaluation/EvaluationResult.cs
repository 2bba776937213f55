namespace Lfm2Vl.Training.Evaluation;

/// <summary>
/// Everything measured on one split: classification metrics, the mean cross-entropy, and for a model with a
/// detector on data with boxes, COCO detection metrics and the mean detection loss (boxes in input pixels).
/// </summary>
public sealed record EvaluationResult
{
    public required string ModelName { get; init; }
    public required string Device { get; init; }
    public required int ImageCount { get; init; }
    public required ClassificationMetrics Classification { get; init; }
    /// <summary>Mean cross-entropy over the images.</summary>
    public required double Loss { get; init; }
    public DetectionMetrics? Detection { get; init; }
    /// <summary>Mean detection loss over the images (null without detection).</summary>
    public double? DetectionLoss { get; init; }

    public double Accuracy => Classification.Accuracy;
    public IReadOnlyList<string> ClassNames => Classification.ClassNames;
}
