using Lfm2Vl.Training.Evaluation;
using Lfm2Vl.Vision.Data;
using Lfm2Vl.Vision.Detection;
using Xunit;

namespace Lfm2Vl.Training.Tests.Evaluation;

public class DetectionMetricsTests
{
    private static readonly string[] TwoClasses = ["cat", "dog"];

    private static BoundingBox Box(float x1, float y1, float x2, float y2, int label) => new(x1, y1, x2, y2, label);
    private static DetectedObject Det(float x1, float y1, float x2, float y2, int label, float score) => new(Box(x1, y1, x2, y2, label), score);

    private static DetectionMetrics Evaluate(IReadOnlyList<IReadOnlyList<DetectedObject>> dets, IReadOnlyList<IReadOnlyList<BoundingBox>> gts, IReadOnlyList<string>? names = null)
    {
        var acc = new DetectionAccumulator(names ?? TwoClasses);
        acc.AddBatch(dets, gts);
        return acc.Compute();
    }

    [Fact]
    public void Thresholds_follow_numpy_linspace()
    {
        Assert.Equal(10, CocoThresholds.Iou.Count);
        Assert.Equal(0.5, CocoThresholds.Iou[0]);
        Assert.Equal(0.95, CocoThresholds.Iou[^1]);
        Assert.Equal(0.75, CocoThresholds.Iou[5], 12);
        Assert.Equal(101, CocoThresholds.Recall.Count);
        Assert.Equal(1.0, CocoThresholds.Recall[^1]);
        Assert.Equal(0.01 * 37, CocoThresholds.Recall[37]); // numpy: start + i * step
    }

    [Fact]
    public void Perfect_detections_give_AP_1_at_every_IoU()
    {
        var gts = new IReadOnlyList<BoundingBox>[]
        {
            [Box(0, 0, 10, 10, 0), Box(20, 5, 40, 30, 1)],
            [Box(3, 4, 9, 12, 1)],
        };
        var dets = gts.Select(g => (IReadOnlyList<DetectedObject>)g.Select((b, i) => new DetectedObject(b, 0.9f - 0.1f * i)).ToArray()).ToArray();
        var m = Evaluate(dets, gts);
        // Precision is tp / (tp + fp + eps) as in pycocotools, so "1" is 1 - 2e-16.
        Assert.Equal(1.0, m.MapAt50!.Value, 12);
        Assert.Equal(1.0, m.MapAt50To95!.Value, 12);
        Assert.All(m.PerClass, c => Assert.All(c.ApPerIou!, ap => Assert.Equal(1.0, ap, 12)));
        Assert.Equal(3, m.GroundTruthCount);
        Assert.Equal(3, m.DetectionCount);
    }

    /// <summary>
    /// Two images, three ground-truth boxes, four detections, checked by hand:
    /// class 0 ranks d1 (TP, IoU 1), d3 (FP, no overlap), d2 (IoU 100/120 = 0.833): TP for IoU thresholds
    /// 0.5..0.8 (7 of them) and FP for 0.85..0.95. Precision [1, 1/2, 2/3] becomes [1, 2/3, 2/3] at recalls
    /// [1/2, 1/2, 1], so AP = (51 * 1 + 50 * 2/3) / 101 = 253/303; with d2 a false positive, only recall 1/2 is
    /// reached: AP = 51/101. Class 1's only detection has IoU exactly 0.5: TP at 0.5 only (the match is IoU >= t),
    /// AP@0.5 = 1 and 0 above, so AP@0.5:0.95 = 0.1.
    /// </summary>
    [Fact]
    public void Hand_checked_two_images_three_boxes_four_detections()
    {
        var gts = new IReadOnlyList<BoundingBox>[]
        {
            [Box(0, 0, 10, 10, 0), Box(20, 20, 30, 30, 0)],
            [Box(0, 0, 10, 10, 1)],
        };
        var dets = new IReadOnlyList<DetectedObject>[]
        {
            [Det(0, 0, 10, 10, 0, 0.9f), Det(20, 20, 30, 32, 0, 0.6f), Det(50, 50, 60, 60, 0, 0.8f)],
            [Det(0, 0, 10, 20, 1, 0.7f)],
        };
        var m = Evaluate(dets, gts);
        var c0 = m.PerClass[0];
        var c1 = m.PerClass[1];

        double high = 253.0 / 303, low = 51.0 / 101;
        Assert.Equal(high, c0.Ap50!.Value, 12);
        Assert.Equal(high, c0.Ap75!.Value, 12);
        for (int t = 0; t < 10; t++) Assert.Equal(t < 7 ? high : low, c0.ApPerIou![t], 12);
        Assert.Equal(223.0 / 303, c0.Ap50To95!.Value, 12);

        Assert.Equal(1.0, c1.Ap50!.Value, 12);
        Assert.Equal(0.0, c1.Ap75!.Value, 12);
        Assert.Equal(0.1, c1.Ap50To95!.Value, 12);

        Assert.Equal((high + 1) / 2, m.MapAt50!.Value, 12);
        Assert.Equal((223.0 / 303 + 0.1) / 2, m.MapAt50To95!.Value, 12);
        Assert.Equal(2, m.ImageCount);
        Assert.Equal(4, m.DetectionCount);

        // The curve at IoU 0.5: raw points in score order and COCO's interpolated envelope.
        var curve = c0.Curve!;
        Assert.Equal([0.5, 0.5, 1.0], curve.Recall);
        Assert.Equal(1.0, curve.Precision[0], 12);
        Assert.Equal(0.5, curve.Precision[1], 12);
        Assert.Equal(2.0 / 3, curve.Precision[2], 12);
        Assert.Equal(1.0, curve.InterpolatedPrecision[50], 12);
        Assert.Equal(2.0 / 3, curve.InterpolatedPrecision[51], 12);
        Assert.Equal(2.0 / 3, curve.InterpolatedPrecision[100], 12);
    }

    [Fact]
    public void A_duplicate_detection_is_a_false_positive()
    {
        var gts = new IReadOnlyList<BoundingBox>[] { [Box(0, 0, 10, 10, 0), Box(30, 30, 40, 40, 0)] };
        // The duplicate of the first box outranks the detection of the second box: TP, FP, TP.
        var dets = new IReadOnlyList<DetectedObject>[] { [Det(0, 0, 10, 10, 0, 0.9f), Det(0, 0, 10, 10, 0, 0.8f), Det(30, 30, 40, 40, 0, 0.7f)] };
        var m = Evaluate(dets, gts);
        var c0 = m.PerClass[0];
        var precision = c0.Curve!.Precision;
        Assert.Equal(1.0, precision[0], 12);
        Assert.Equal(0.5, precision[1], 12);
        Assert.Equal(2.0 / 3, precision[2], 12);
        Assert.Equal((51 + 50 * 2.0 / 3) / 101, c0.Ap50!.Value, 12);

        // Without the duplicate the same boxes are perfect.
        var clean = Evaluate([[Det(0, 0, 10, 10, 0, 0.9f), Det(30, 30, 40, 40, 0, 0.7f)]], gts);
        Assert.Equal(1.0, clean.PerClass[0].Ap50!.Value, 12);
    }

    [Fact]
    public void A_ground_truth_box_is_matched_once_even_when_two_detections_overlap_it()
    {
        var gts = new IReadOnlyList<BoundingBox>[] { [Box(0, 0, 10, 10, 0)] };
        var m = Evaluate([[Det(0, 0, 10, 10, 0, 0.9f), Det(0, 0, 10, 11, 0, 0.95f)]], gts);
        // The higher-scored (slightly off) box takes the match; the exact one is a false positive.
        var curve = m.PerClass[0].Curve!;
        Assert.Equal([1.0, 1.0], curve.Recall);
        Assert.Equal(0.5, curve.Precision[1], 12);
        Assert.Equal(1.0, m.PerClass[0].Ap50!.Value, 12);
    }

    [Fact]
    public void A_wrong_class_gives_AP_0()
    {
        var gts = new IReadOnlyList<BoundingBox>[] { [Box(0, 0, 10, 10, 0)] };
        var m = Evaluate([[Det(0, 0, 10, 10, 1, 0.9f)]], gts);
        Assert.Equal(0.0, m.PerClass[0].Ap50);
        Assert.Equal(0.0, m.PerClass[0].Ap50To95);
        // Class 1 has no ground truth: no AP, and it is left out of the mean.
        Assert.Null(m.PerClass[1].Ap50);
        Assert.Equal(1, m.PerClass[1].DetectionCount);
        Assert.Equal(0.0, m.MapAt50);
        Assert.Equal(0.0, m.MapAt50To95);
    }

    [Fact]
    public void No_ground_truth_at_all_gives_no_mAP()
    {
        var m = Evaluate([[Det(0, 0, 10, 10, 1, 0.9f)]], [[]]);
        Assert.Null(m.MapAt50);
        Assert.Null(m.MapAt50To95);
    }

    [Fact]
    public void Missed_boxes_lower_recall_and_AP()
    {
        // Two boxes, one found: recall stops at 0.5, so AP = 51/101.
        var gts = new IReadOnlyList<BoundingBox>[] { [Box(0, 0, 10, 10, 0)], [Box(0, 0, 10, 10, 0)] };
        var m = Evaluate([[Det(0, 0, 10, 10, 0, 0.9f)], []], gts);
        Assert.Equal(51.0 / 101, m.PerClass[0].Ap50!.Value, 12);
    }

    [Fact]
    public void Only_the_best_detections_per_image_count()
    {
        var gts = new IReadOnlyList<BoundingBox>[] { [Box(0, 0, 10, 10, 0)] };
        // The only true positive has the lowest score; with at most 2 detections per image it is dropped.
        var dets = new IReadOnlyList<DetectedObject>[] { [Det(50, 50, 60, 60, 0, 0.9f), Det(70, 70, 80, 80, 0, 0.8f), Det(0, 0, 10, 10, 0, 0.1f)] };
        var limited = new DetectionAccumulator(TwoClasses, maxDetectionsPerImage: 2);
        limited.AddBatch(dets, gts);
        Assert.Equal(0.0, limited.Compute().PerClass[0].Ap50);
        var full = Evaluate(dets, gts);
        Assert.Equal(1.0 / 3, full.PerClass[0].Ap50!.Value, 12); // TP at rank 3: precision 1/3 for every recall threshold
    }

    [Fact]
    public void Labels_outside_the_classes_are_rejected()
    {
        var acc = new DetectionAccumulator(TwoClasses);
        Assert.Throws<ArgumentOutOfRangeException>(() => acc.AddImage([], [Box(0, 0, 1, 1, 2)]));
    }

    /// <summary>
    /// Against a direct implementation of the COCO definition: for each recall threshold r, the largest
    /// precision among ranked points with recall >= r (0 if none), averaged; matching as in pycocotools.
    /// </summary>
    [Fact]
    public void Matches_a_direct_implementation_on_random_scenes()
    {
        var rng = new Random(11);
        for (int trial = 0; trial < 30; trial++)
        {
            int images = rng.Next(1, 5), classes = 3;
            var names = Enumerable.Range(0, classes).Select(c => $"c{c}").ToArray();
            var gts = new List<IReadOnlyList<BoundingBox>>();
            var dets = new List<IReadOnlyList<DetectedObject>>();
            var usedScores = new HashSet<float>();
            for (int i = 0; i < images; i++)
            {
                var g = Enumerable.Range(0, rng.Next(0, 5)).Select(_ => RandomBox(rng, rng.Next(classes))).ToList();
                var d = new List<DetectedObject>();
                foreach (var b in g.Where(_ => rng.NextDouble() < 0.8))
                    d.Add(new DetectedObject(Jitter(rng, b), UniqueScore(rng, usedScores)));
                for (int k = rng.Next(0, 4); k > 0; k--) d.Add(new DetectedObject(RandomBox(rng, rng.Next(classes)), UniqueScore(rng, usedScores)));
                gts.Add(g);
                dets.Add(d);
            }
            var m = Evaluate(dets, gts, names);
            for (int c = 0; c < classes; c++)
            {
                int gtCount = gts.Sum(g => g.Count(b => b.Label == c));
                if (gtCount == 0) { Assert.Null(m.PerClass[c].Ap50); continue; }
                for (int t = 0; t < 10; t++)
                    Assert.Equal(DirectAp(dets, gts, c, CocoThresholds.Iou[t]), m.PerClass[c].ApPerIou![t], 12);
            }
        }
    }

    private static double DirectAp(List<IReadOnlyList<DetectedObject>> dets, List<IReadOnlyList<BoundingBox>> gts, int c, double threshold)
    {
        var ranked = new List<(float Score, bool Tp)>();
        for (int i = 0; i < dets.Count; i++)
        {
            var g = gts[i].Where(b => b.Label == c).ToList();
            var used = new bool[g.Count];
            foreach (var d in dets[i].Where(d => d.Label == c).OrderByDescending(d => d.Score))
            {
                int best = -1;
                double bestIou = threshold;
                for (int j = 0; j < g.Count; j++)
                {
                    double iou = DetectionAccumulator.Iou(d.Box, g[j]);
                    if (!used[j] && iou >= bestIou) { bestIou = iou; best = j; }
                }
                if (best >= 0) used[best] = true;
                ranked.Add((d.Score, best >= 0));
            }
        }
        ranked.Sort((a, b) => b.Score.CompareTo(a.Score));
        int total = gts.Sum(g => g.Count(b => b.Label == c));
        var points = new List<(double R, double P)>();
        int tp = 0;
        for (int k = 0; k < ranked.Count; k++)
        {
            if (ranked[k].Tp) tp++;
            points.Add(((double)tp / total, (double)tp / (k + 1)));
        }
        double sum = 0;
        foreach (double r in CocoThresholds.Recall)
            sum += points.Where(p => p.R >= r).Select(p => p.P).DefaultIfEmpty(0).Max();
        return sum / CocoThresholds.Recall.Count;
    }

    private static BoundingBox RandomBox(Random rng, int label)
    {
        float x = rng.Next(0, 40), y = rng.Next(0, 40);
        return new BoundingBox(x, y, x + rng.Next(8, 20), y + rng.Next(8, 20), label);
    }

    private static BoundingBox Jitter(Random rng, BoundingBox b) =>
        new(b.X1 + rng.Next(-3, 4), b.Y1 + rng.Next(-3, 4), b.X2 + rng.Next(-3, 4), b.Y2 + rng.Next(-3, 4), b.Label);

    private static float UniqueScore(Random rng, HashSet<float> used)
    {
        float s;
        do s = (float)rng.NextDouble(); while (!used.Add(s));
        return s;
    }
}
