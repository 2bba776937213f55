using Lfm2Vl.Engine;

namespace Lfm2Vl.Training.Evaluation;

/// <summary>
/// Collects classification results batch by batch (logits + labels), so a split is evaluated in one pass
/// without keeping its logits: a confusion matrix and, for each requested k, the number of samples whose
/// true class is among the k highest logits. Ties rank the lower class index first, so top-1 agrees with the
/// argmax prediction (the first maximum).
/// </summary>
public sealed class ClassificationAccumulator
{
    private readonly int[] _ks;
    private readonly long[] _topKHits;

    /// <param name="topK">The k values for top-k accuracy (default 1 and 5); values above the class count are dropped.</param>
    public ClassificationAccumulator(IReadOnlyList<string> classNames, IReadOnlyList<int>? topK = null)
    {
        ClassNames = classNames.ToArray();
        Matrix = new ConfusionMatrix(ClassNames.Count);
        var ks = topK ?? [1, 5];
        if (ks.Any(k => k < 1)) throw new ArgumentOutOfRangeException(nameof(topK), "Top-k needs k >= 1.");
        _ks = ks.Where(k => k <= ClassNames.Count).Distinct().Order().ToArray();
        _topKHits = new long[_ks.Length];
    }

    public IReadOnlyList<string> ClassNames { get; }
    public int NumClasses => ClassNames.Count;
    public ConfusionMatrix Matrix { get; }
    public long Count => Matrix.Total;
    public IReadOnlyList<int> Ks => _ks;

    /// <summary>Adds a batch: logits [N, C] (any float dtype, any device) and int32 labels [N].</summary>
    public void Add(Tensor logits, Tensor labels)
    {
        if (logits.Rank != 2 || logits.Size(1) != NumClasses)
            throw new ArgumentException($"Expected logits [N, {NumClasses}], got [{string.Join(", ", logits.Shape)}].", nameof(logits));
        if (labels.Rank != 1 || labels.Size(0) != logits.Size(0))
            throw new ArgumentException($"Expected {logits.Size(0)} labels, got [{string.Join(", ", labels.Shape)}].", nameof(labels));
        Add(logits.ToFloatArray(), labels.DType == DType.Int32 ? labels.ToArray<int>() : Array.ConvertAll(labels.ToDoubleArray(), v => (int)v));
    }

    /// <summary>Adds a batch: row-major logits (N * C values) and N labels.</summary>
    public void Add(ReadOnlySpan<float> logits, IReadOnlyList<int> labels)
    {
        int c = NumClasses;
        if (logits.Length != labels.Count * c)
            throw new ArgumentException($"{logits.Length} logits for {labels.Count} samples of {c} classes.", nameof(logits));
        for (int i = 0; i < labels.Count; i++)
        {
            var row = logits.Slice(i * c, c);
            int label = labels[i];
            if ((uint)label >= (uint)c) throw new ArgumentOutOfRangeException(nameof(labels), $"Label {label} is outside the {c} classes.");
            Matrix.Add(label, ArgMax(row));
            int rank = RankOf(row, label);
            for (int j = 0; j < _ks.Length; j++)
                if (rank < _ks[j]) _topKHits[j]++;
        }
    }

    /// <summary>Adds predictions without scores (no top-k beyond what the predictions give).</summary>
    public void AddPrediction(int label, int predicted) => Matrix.Add(label, predicted);

    public IReadOnlyList<TopKAccuracy> TopK()
    {
        long n = Count;
        return _ks.Select((k, j) => new TopKAccuracy(k, n == 0 ? 0 : (double)_topKHits[j] / n)).ToArray();
    }

    public ClassificationMetrics Compute(int mostConfused = 5) =>
        ClassificationMetrics.FromConfusionMatrix(Matrix, ClassNames, TopK(), mostConfused);

    /// <summary>The first index of the largest value (NaN never wins).</summary>
    internal static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int k = 1; k < row.Length; k++)
            if (row[k] > row[best] || float.IsNaN(row[best])) best = k;
        return best;
    }

    /// <summary>How many classes rank before <paramref name="label"/>: a higher score, or an equal score and a lower index.</summary>
    internal static int RankOf(ReadOnlySpan<float> row, int label)
    {
        float s = row[label];
        if (float.IsNaN(s)) return row.Length;
        int rank = 0;
        for (int k = 0; k < row.Length; k++)
            if (row[k] > s || (row[k] == s && k < label)) rank++;
        return rank;
    }
}
