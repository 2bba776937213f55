using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Lfm2Vl.Engine;
using Lfm2Vl.Training.Evaluation;
using Xunit;

namespace Lfm2Vl.Training.Tests.Evaluation;

public class ClassificationMetricsTests
{
    private static readonly string[] Three = ["class 0", "class 1", "class 2"];

    /// <summary>scikit-learn's classification_report example: y_true = [0, 1, 2, 2, 2], y_pred = [0, 0, 2, 2, 1].</summary>
    [Fact]
    public void Matches_the_scikit_learn_classification_report_example()
    {
        var m = ClassificationMetrics.FromPredictions([0, 1, 2, 2, 2], [0, 0, 2, 2, 1], Three);
        Assert.Equal(0.6, m.Accuracy, 15);
        Assert.Equal([0.5, 0.0, 1.0], m.PerClass.Select(c => c.Precision));
        Assert.Equal(1.0, m.PerClass[0].Recall);
        Assert.Equal(0.0, m.PerClass[1].Recall);
        Assert.Equal(2.0 / 3, m.PerClass[2].Recall, 15);
        Assert.Equal(2.0 / 3, m.PerClass[0].F1, 15);
        Assert.Equal(0.0, m.PerClass[1].F1);
        Assert.Equal(0.8, m.PerClass[2].F1, 15);
        Assert.Equal([1L, 1L, 3L], m.PerClass.Select(c => c.Support));
        // report: macro avg 0.50 0.56 0.49, weighted avg 0.70 0.60 0.61
        Assert.Equal(0.5, m.MacroAverage.Precision, 15);
        Assert.Equal(5.0 / 9, m.MacroAverage.Recall, 15);
        Assert.Equal((2.0 / 3 + 0.8) / 3, m.MacroAverage.F1, 15);
        Assert.Equal(0.7, m.WeightedAverage.Precision, 15);
        Assert.Equal(0.6, m.WeightedAverage.Recall, 15);
        Assert.Equal((2.0 / 3 + 3 * 0.8) / 5, m.WeightedAverage.F1, 15);
        Assert.Equal(5, m.MacroAverage.Support);
    }

    /// <summary>scikit-learn's confusion_matrix example: y_true = [2, 0, 2, 2, 0, 1], y_pred = [0, 0, 2, 2, 0, 2].</summary>
    [Fact]
    public void Confusion_matrix_rows_are_true_classes()
    {
        var m = ConfusionMatrix.From([2, 0, 2, 2, 0, 1], [0, 0, 2, 2, 0, 2], 3);
        Assert.Equal([[2L, 0, 0], [0L, 0, 1], [1L, 0, 2]], m.ToRows());
        Assert.Equal(6, m.Total);
        Assert.Equal(4, m.Correct);
        Assert.Equal(3, m.RowSum(2));
        Assert.Equal(3, m.ColumnSum(2));
    }

    /// <summary>
    /// A seeded random case (numpy default_rng(7), 24 samples, 4 classes) with scikit-learn 1.2.1's outputs of
    /// confusion_matrix, accuracy_score and precision_recall_fscore_support(zero_division=0) for average=None,
    /// 'macro' and 'weighted'.
    /// </summary>
    [Fact]
    public void Matches_scikit_learn_on_a_random_case()
    {
        int[] yTrue = [3, 2, 2, 3, 2, 3, 3, 0, 0, 1, 1, 3, 3, 0, 1, 3, 0, 3, 0, 1, 3, 1, 1, 1];
        int[] yPred = [3, 2, 1, 0, 2, 3, 2, 0, 0, 1, 3, 3, 3, 2, 1, 3, 2, 2, 0, 1, 3, 1, 0, 1];
        var m = ClassificationMetrics.FromPredictions(yTrue, yPred, ["a", "b", "c", "d"]);
        Assert.Equal([[3L, 0, 2, 0], [1L, 5, 0, 1], [0L, 1, 2, 0], [1L, 0, 2, 6]], m.ConfusionMatrix.ToRows());
        Assert.Equal(0.6666666666666666, m.Accuracy, 15);
        double[] p = [3.0 / 5, 5.0 / 6, 2.0 / 6, 6.0 / 7], r = [3.0 / 5, 5.0 / 7, 2.0 / 3, 6.0 / 9], f = [0.6, 0.76923076923076923, 0.44444444444444444, 0.75];
        for (int c = 0; c < 4; c++)
        {
            Assert.Equal(p[c], m.PerClass[c].Precision, 15);
            Assert.Equal(r[c], m.PerClass[c].Recall, 15);
            Assert.Equal(f[c], m.PerClass[c].F1, 12);
        }
        Assert.Equal([5L, 7L, 3L, 9L], m.PerClass.Select(c => c.Support));
        Assert.Equal(0.655952380952381, m.MacroAverage.Precision, 15);
        Assert.Equal(0.6619047619047619, m.MacroAverage.Recall, 15);
        Assert.Equal(0.6409188034188034, m.MacroAverage.F1, 12);
        Assert.Equal(0.7311507936507936, m.WeightedAverage.Precision, 15);
        Assert.Equal(0.6666666666666666, m.WeightedAverage.Recall, 15);
        Assert.Equal(0.6861645299145298, m.WeightedAverage.F1, 12);
    }

    /// <summary>
    /// zero_division=0: y_true = [0, 0, 1, 1, 0], y_pred = [0, 2, 0, 0, 0] with a fourth class that never
    /// appears. scikit-learn 1.2.1 gives P = [0.5, 0, 0], R = [2/3, 0, 0], F1 = [4/7, 0, 0] for classes 0..2,
    /// macro (0.1667, 0.2222, 0.1905) over the classes present in y_true or y_pred, weighted (0.3, 0.4, 0.3429).
    /// </summary>
    [Fact]
    public void Zero_denominators_give_0_and_absent_classes_stay_out_of_the_macro_average()
    {
        var m = ClassificationMetrics.FromPredictions([0, 0, 1, 1, 0], [0, 2, 0, 0, 0], ["a", "b", "c", "d"]);
        Assert.Equal(0.5, m.PerClass[0].Precision);
        Assert.Equal(2.0 / 3, m.PerClass[0].Recall, 15);
        Assert.Equal(4.0 / 7, m.PerClass[0].F1, 12);
        Assert.Equal((0.0, 0.0, 0.0, 2L), (m.PerClass[1].Precision, m.PerClass[1].Recall, m.PerClass[1].F1, m.PerClass[1].Support)); // never predicted
        Assert.Equal((0.0, 0.0, 0.0, 0L), (m.PerClass[2].Precision, m.PerClass[2].Recall, m.PerClass[2].F1, m.PerClass[2].Support)); // no support
        Assert.Equal((0.0, 0.0, 0.0, 0L), (m.PerClass[3].Precision, m.PerClass[3].Recall, m.PerClass[3].F1, m.PerClass[3].Support)); // absent
        Assert.Equal(0.16666666666666666, m.MacroAverage.Precision, 15);
        Assert.Equal(0.2222222222222222, m.MacroAverage.Recall, 15);
        Assert.Equal(0.1904761904761905, m.MacroAverage.F1, 12);
        Assert.Equal(0.3, m.WeightedAverage.Precision, 15);
        Assert.Equal(0.4, m.WeightedAverage.Recall, 15);
        Assert.Equal(0.34285714285714286, m.WeightedAverage.F1, 12);
    }

    [Fact]
    public void An_empty_evaluation_gives_zeros_not_NaN()
    {
        var m = new ClassificationAccumulator(Three).Compute();
        Assert.Equal(0, m.SampleCount);
        Assert.Equal(0.0, m.Accuracy);
        Assert.Equal(new AveragedMetrics(0, 0, 0, 0), m.MacroAverage);
        Assert.Equal(new AveragedMetrics(0, 0, 0, 0), m.WeightedAverage);
        Assert.Empty(m.MostConfused);
    }

    [Fact]
    public void Most_confused_pairs_are_the_largest_off_diagonal_cells()
    {
        int[] yTrue = [0, 0, 0, 1, 1, 2, 2, 2, 2];
        int[] yPred = [1, 1, 0, 0, 1, 0, 0, 1, 2];
        var pairs = ClassificationMetrics.FromPredictions(yTrue, yPred, ["cat", "dog", "fox"], mostConfused: 3).MostConfused;
        Assert.Equal(3, pairs.Count);
        Assert.Equal(new ConfusedPair(0, 1, "cat", "dog", 2, 2.0 / 3), pairs[0]);
        Assert.Equal(new ConfusedPair(2, 0, "fox", "cat", 2, 0.5), pairs[1]); // ties: lower true class first
        Assert.Equal(new ConfusedPair(1, 0, "dog", "cat", 1, 0.5), pairs[2]);
    }

    /// <summary>
    /// Scores with no ties (numpy default_rng(7) after the case above); scikit-learn 1.2.1's
    /// top_k_accuracy_score gives 0.0, 0.1, 0.4 and 1.0 for k = 1, 2, 3, 5.
    /// </summary>
    [Fact]
    public void Top_k_matches_scikit_learn()
    {
        float[] scores =
        [
            0.119f, -0.641f, 2.0f, 0.762f, -1.199f, 0.075f, 0.577f, -0.189f, 0.683f, -0.067f,
            0.667f, 1.439f, -0.676f, 0.203f, -0.463f, 0.127f, -1.187f, -0.579f, -0.196f, 0.899f,
            1.145f, -1.324f, -0.795f, 0.647f, -1.992f, -0.463f, -0.097f, 1.257f, 0.689f, -0.327f,
            -0.369f, -0.25f, 1.524f, -0.428f, -0.304f, 0.353f, -0.121f, -0.197f, -1.114f, -0.012f,
            -0.444f, 1.166f, 0.653f, -0.024f, 0.668f, -0.34f, 1.052f, -0.005f, 0.583f, -1.291f,
        ];
        int[] labels = [4, 0, 4, 0, 2, 4, 0, 3, 3, 2];
        var m = ClassificationMetrics.FromLogits(scores, labels, ["a", "b", "c", "d", "e"], topK: [1, 2, 3, 5]);
        Assert.Equal(0.0, m.TopKAccuracyFor(1));
        Assert.Equal(0.1, m.TopKAccuracyFor(2)!.Value, 15);
        Assert.Equal(0.4, m.TopKAccuracyFor(3)!.Value, 15);
        Assert.Equal(1.0, m.TopKAccuracyFor(5));
        Assert.Equal(m.Accuracy, m.TopKAccuracyFor(1));
    }

    [Fact]
    public void Ties_rank_the_lower_class_first_so_top1_is_the_argmax()
    {
        // Row 0: classes 1 and 2 tie for the maximum: the prediction is 1; label 2 is only in the top 2.
        var acc = new ClassificationAccumulator(Three, [1, 2]);
        acc.Add([0f, 5f, 5f], [2]);
        acc.Add([1f, 1f, 1f], [0]);
        var m = acc.Compute();
        Assert.Equal(1, m.ConfusionMatrix[2, 1]);
        Assert.Equal(1, m.ConfusionMatrix[0, 0]);
        Assert.Equal(0.5, m.TopKAccuracyFor(1));
        Assert.Equal(1.0, m.TopKAccuracyFor(2));
    }

    [Fact]
    public void Tensors_are_accepted_and_batches_accumulate()
    {
        var acc = new ClassificationAccumulator(Three, [1, 2]);
        using (TensorScope.Begin())
        {
            acc.Add(Tensor.FromArray(new float[] { 3, 1, 0, 0, 2, 1 }, 2, 3), Tensor.FromArray(new[] { 0, 2 }, 2));
            acc.Add(Tensor.FromArray(new float[] { 0, 0, 9 }, 1, 3), Tensor.FromArray(new[] { 2 }, 1));
        }
        var m = acc.Compute();
        Assert.Equal(3, m.SampleCount);
        Assert.Equal(2.0 / 3, m.Accuracy, 15);
        Assert.Equal(1.0, m.TopKAccuracyFor(2));
        Assert.Throws<ArgumentException>(() => acc.Add(Tensor.FromArray(new float[4], 1, 4), Tensor.FromArray(new[] { 0 }, 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => acc.Add([1f, 0f, 0f], [3]));
    }

    /// <summary>Against a direct per-class count on random predictions, and invariants that always hold.</summary>
    [Property(MaxTest = 200)]
    public Property Agrees_with_direct_counting(PositiveInt seed)
    {
        var rng = new Random(seed.Get);
        int c = rng.Next(1, 6), n = rng.Next(0, 40);
        var yTrue = Enumerable.Range(0, n).Select(_ => rng.Next(c)).ToArray();
        var yPred = yTrue.Select(t => rng.NextDouble() < 0.5 ? t : rng.Next(c)).ToArray();
        var names = Enumerable.Range(0, c).Select(k => $"k{k}").ToArray();
        var m = ClassificationMetrics.FromPredictions(yTrue, yPred, names);

        bool ok = true;
        var present = new List<(double P, double R, double F)>();
        for (int k = 0; k < c; k++)
        {
            int tp = Enumerable.Range(0, n).Count(i => yTrue[i] == k && yPred[i] == k);
            int fp = Enumerable.Range(0, n).Count(i => yTrue[i] != k && yPred[i] == k);
            int fn = Enumerable.Range(0, n).Count(i => yTrue[i] == k && yPred[i] != k);
            double p = tp + fp == 0 ? 0 : (double)tp / (tp + fp);
            double r = tp + fn == 0 ? 0 : (double)tp / (tp + fn);
            double f = 2 * tp + fp + fn == 0 ? 0 : 2.0 * tp / (2 * tp + fp + fn); // sklearn >= 1.3's form of F1
            ok &= Close(m.PerClass[k].Precision, p) && Close(m.PerClass[k].Recall, r) && Close(m.PerClass[k].F1, f) && m.PerClass[k].Support == tp + fn;
            if (tp + fp + fn > 0) present.Add((p, r, f));
        }
        double accuracy = n == 0 ? 0 : (double)Enumerable.Range(0, n).Count(i => yTrue[i] == yPred[i]) / n;
        ok &= Close(m.Accuracy, accuracy);
        ok &= Close(m.WeightedAverage.Recall, accuracy);
        if (present.Count > 0) ok &= Close(m.MacroAverage.F1, present.Average(x => x.F));
        return ok.Label($"c={c} n={n}");
    }

    [Property(MaxTest = 100)]
    public Property Streaming_in_batches_equals_one_pass(PositiveInt seed)
    {
        var rng = new Random(seed.Get);
        int c = rng.Next(2, 6), n = rng.Next(1, 30);
        var logits = Enumerable.Range(0, n * c).Select(_ => (float)Math.Round(rng.NextDouble() * 4, 1)).ToArray(); // rounded: ties happen
        var labels = Enumerable.Range(0, n).Select(_ => rng.Next(c)).ToArray();
        var names = Enumerable.Range(0, c).Select(k => $"k{k}").ToArray();
        var whole = new ClassificationAccumulator(names, [1, 2, 3]);
        whole.Add(logits, labels);
        var streamed = new ClassificationAccumulator(names, [1, 2, 3]);
        for (int start = 0; start < n; start += 3)
        {
            int len = Math.Min(3, n - start);
            streamed.Add(logits.AsSpan(start * c, len * c), labels[start..(start + len)]);
        }
        var a = whole.Compute();
        var b = streamed.Compute();
        bool same = a.ConfusionMatrix.ToRows().Zip(b.ConfusionMatrix.ToRows()).All(z => z.First.SequenceEqual(z.Second))
                    && a.TopK.SequenceEqual(b.TopK)
                    && Close(a.TopKAccuracyFor(1)!.Value, a.Accuracy)
                    && a.TopK.Zip(a.TopK.Skip(1)).All(z => z.First.Accuracy <= z.Second.Accuracy); // top-k grows with k
        return same.ToProperty();
    }

    private static bool Close(double a, double b) => Math.Abs(a - b) <= 1e-12;
}
