namespace Lfm2Vl.Training.Evaluation;

/// <summary>Precision, recall, F1 and support of one class.</summary>
public sealed record ClassMetrics(int ClassIndex, string ClassName, double Precision, double Recall, double F1, long Support);

/// <summary>An average of per-class precision, recall and F1; <see cref="Support"/> is the samples it covers.</summary>
public sealed record AveragedMetrics(double Precision, double Recall, double F1, long Support);

/// <summary>Top-k accuracy for one k.</summary>
public sealed record TopKAccuracy(int K, double Accuracy);

/// <summary>
/// Classification results with scikit-learn's conventions (precision_recall_fscore_support and
/// classification_report, zero_division=0): a ratio with a zero denominator is 0; F1 = 2PR / (P + R), 0 when
/// P + R = 0. The macro average is the plain mean over the classes present in the labels or the predictions
/// (scikit-learn's default label set); the weighted average weights each class by its support. Per-class rows
/// cover every class, present or not.
/// </summary>
public sealed record ClassificationMetrics
{
    public required IReadOnlyList<string> ClassNames { get; init; }
    public required long SampleCount { get; init; }
    public required double Accuracy { get; init; }
    /// <summary>One entry per requested k (k = 1 equals <see cref="Accuracy"/>); empty when computed from predictions alone.</summary>
    public required IReadOnlyList<TopKAccuracy> TopK { get; init; }
    public required IReadOnlyList<ClassMetrics> PerClass { get; init; }
    public required AveragedMetrics MacroAverage { get; init; }
    public required AveragedMetrics WeightedAverage { get; init; }
    public required ConfusionMatrix ConfusionMatrix { get; init; }
    public required IReadOnlyList<ConfusedPair> MostConfused { get; init; }

    /// <summary>The top-k accuracy for <paramref name="k"/>, or null when it was not computed.</summary>
    public double? TopKAccuracyFor(int k) => TopK.FirstOrDefault(t => t.K == k)?.Accuracy;

    /// <summary>All metrics from predicted and true classes.</summary>
    public static ClassificationMetrics FromPredictions(IReadOnlyList<int> labels, IReadOnlyList<int> predictions, IReadOnlyList<string> classNames, int mostConfused = 5) =>
        FromConfusionMatrix(ConfusionMatrix.From(labels, predictions, classNames.Count), classNames, [], mostConfused);

    /// <summary>All metrics from logits [N, C] (row-major) and true classes; the prediction is the first maximum.</summary>
    public static ClassificationMetrics FromLogits(ReadOnlySpan<float> logits, IReadOnlyList<int> labels, IReadOnlyList<string> classNames, IReadOnlyList<int>? topK = null, int mostConfused = 5)
    {
        var acc = new ClassificationAccumulator(classNames, topK);
        acc.Add(logits, labels);
        return acc.Compute(mostConfused);
    }

    /// <summary>Precision, recall and F1 per class and their averages, from a confusion matrix.</summary>
    public static ClassificationMetrics FromConfusionMatrix(ConfusionMatrix matrix, IReadOnlyList<string> classNames, IReadOnlyList<TopKAccuracy> topK, int mostConfused = 5)
    {
        if (classNames.Count != matrix.NumClasses)
            throw new ArgumentException($"{classNames.Count} class names for a {matrix.NumClasses}-class confusion matrix.", nameof(classNames));
        int c = matrix.NumClasses;
        var perClass = new ClassMetrics[c];
        for (int k = 0; k < c; k++)
        {
            long tp = matrix[k, k], predicted = matrix.ColumnSum(k), support = matrix.RowSum(k);
            double precision = SafeDivide(tp, predicted), recall = SafeDivide(tp, support);
            double f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0;
            perClass[k] = new ClassMetrics(k, classNames[k], precision, recall, f1, support);
        }

        long total = matrix.Total;
        var present = Enumerable.Range(0, c).Where(k => matrix.RowSum(k) > 0 || matrix.ColumnSum(k) > 0).Select(k => perClass[k]).ToList();
        var macro = present.Count == 0
            ? new AveragedMetrics(0, 0, 0, 0)
            : new AveragedMetrics(present.Average(m => m.Precision), present.Average(m => m.Recall), present.Average(m => m.F1), total);
        var weighted = total == 0
            ? new AveragedMetrics(0, 0, 0, 0)
            : new AveragedMetrics(
                perClass.Sum(m => m.Precision * m.Support) / total,
                perClass.Sum(m => m.Recall * m.Support) / total,
                perClass.Sum(m => m.F1 * m.Support) / total,
                total);

        return new ClassificationMetrics
        {
            ClassNames = classNames.ToArray(),
            SampleCount = total,
            Accuracy = SafeDivide(matrix.Correct, total),
            TopK = topK,
            PerClass = perClass,
            MacroAverage = macro,
            WeightedAverage = weighted,
            ConfusionMatrix = matrix,
            MostConfused = matrix.MostConfused(mostConfused, classNames),
        };
    }

    private static double SafeDivide(long a, long b) => b == 0 ? 0 : (double)a / b;
}
