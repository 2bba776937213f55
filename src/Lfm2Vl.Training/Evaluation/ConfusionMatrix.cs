namespace Lfm2Vl.Training.Evaluation;

/// <summary>
/// Counts of (true class, predicted class) pairs: rows are true classes, columns predicted classes
/// (scikit-learn's confusion_matrix layout).
/// </summary>
public sealed class ConfusionMatrix
{
    private readonly long[] _counts;

    public ConfusionMatrix(int numClasses)
    {
        if (numClasses < 1) throw new ArgumentOutOfRangeException(nameof(numClasses), "A confusion matrix needs at least one class.");
        NumClasses = numClasses;
        _counts = new long[numClasses * numClasses];
    }

    /// <summary>Builds the matrix from equally long lists of true and predicted classes.</summary>
    public static ConfusionMatrix From(IReadOnlyList<int> labels, IReadOnlyList<int> predictions, int numClasses)
    {
        if (labels.Count != predictions.Count)
            throw new ArgumentException($"{labels.Count} labels but {predictions.Count} predictions.", nameof(predictions));
        var m = new ConfusionMatrix(numClasses);
        for (int i = 0; i < labels.Count; i++) m.Add(labels[i], predictions[i]);
        return m;
    }

    public int NumClasses { get; }

    public long this[int trueClass, int predictedClass] => _counts[Index(trueClass, predictedClass)];

    public long Total => _counts.Sum();

    /// <summary>The diagonal: correctly classified samples.</summary>
    public long Correct
    {
        get
        {
            long c = 0;
            for (int k = 0; k < NumClasses; k++) c += this[k, k];
            return c;
        }
    }

    public void Add(int trueClass, int predictedClass, long count = 1)
    {
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), "Counts cannot be negative.");
        _counts[Index(trueClass, predictedClass)] += count;
    }

    /// <summary>Adds every count of another matrix of the same size.</summary>
    public void Add(ConfusionMatrix other)
    {
        if (other.NumClasses != NumClasses)
            throw new ArgumentException($"Cannot add a {other.NumClasses}-class matrix to a {NumClasses}-class one.", nameof(other));
        for (int i = 0; i < _counts.Length; i++) _counts[i] += other._counts[i];
    }

    /// <summary>Samples whose true class is <paramref name="trueClass"/> (the class's support).</summary>
    public long RowSum(int trueClass)
    {
        long s = 0;
        for (int p = 0; p < NumClasses; p++) s += this[trueClass, p];
        return s;
    }

    /// <summary>Samples predicted as <paramref name="predictedClass"/>.</summary>
    public long ColumnSum(int predictedClass)
    {
        long s = 0;
        for (int t = 0; t < NumClasses; t++) s += this[t, predictedClass];
        return s;
    }

    /// <summary>Row-major copy (rows = true classes).</summary>
    public long[][] ToRows()
    {
        var rows = new long[NumClasses][];
        for (int t = 0; t < NumClasses; t++)
        {
            rows[t] = new long[NumClasses];
            Array.Copy(_counts, t * NumClasses, rows[t], 0, NumClasses);
        }
        return rows;
    }

    /// <summary>
    /// Off-diagonal cells with a non-zero count, largest first (ties: lower true class, then lower predicted
    /// class), at most <paramref name="count"/> of them.
    /// </summary>
    public IReadOnlyList<ConfusedPair> MostConfused(int count, IReadOnlyList<string>? classNames = null)
    {
        var pairs = new List<ConfusedPair>();
        for (int t = 0; t < NumClasses; t++)
        {
            long support = RowSum(t);
            for (int p = 0; p < NumClasses; p++)
            {
                long n = this[t, p];
                if (t == p || n == 0) continue;
                pairs.Add(new ConfusedPair(t, p, NameOf(classNames, t), NameOf(classNames, p), n, (double)n / support));
            }
        }
        return pairs
            .OrderByDescending(x => x.Count).ThenBy(x => x.TrueClass).ThenBy(x => x.PredictedClass)
            .Take(Math.Max(count, 0)).ToList();
    }

    internal static string NameOf(IReadOnlyList<string>? names, int k) => names is not null && k < names.Count ? names[k] : k.ToString();

    private int Index(int t, int p)
    {
        if ((uint)t >= (uint)NumClasses) throw new ArgumentOutOfRangeException(nameof(t), $"True class {t} is outside the {NumClasses} classes.");
        if ((uint)p >= (uint)NumClasses) throw new ArgumentOutOfRangeException(nameof(p), $"Predicted class {p} is outside the {NumClasses} classes.");
        return t * NumClasses + p;
    }
}

/// <summary>One off-diagonal cell: <see cref="Count"/> samples of <see cref="TrueName"/> predicted as
/// <see cref="PredictedName"/>, which is <see cref="FractionOfTrue"/> of that class's samples.</summary>
public sealed record ConfusedPair(int TrueClass, int PredictedClass, string TrueName, string PredictedName, long Count, double FractionOfTrue);
