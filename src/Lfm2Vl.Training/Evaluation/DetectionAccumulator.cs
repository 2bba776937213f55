using Lfm2Vl.Vision.Data;
using Lfm2Vl.Vision.Detection;

namespace Lfm2Vl.Training.Evaluation;

/// <summary>
/// COCO box AP with pycocotools' semantics (area range "all", no crowd boxes): per image and class the
/// detections are taken best first (at most <see cref="MaxDetectionsPerImage"/>), each is matched greedily to
/// the unmatched ground truth box of its class with the highest IoU of at least the threshold, so a ground
/// truth box is matched at most once and a duplicate detection is a false positive. Per class, detections of
/// all images are ranked by score (ties: image order, then the image's own order); precision is made
/// monotone and read at 101 recall thresholds; AP is their mean. Images are added one by one, so evaluation
/// streams; IoUs are computed as images arrive, boxes are not kept.
/// </summary>
public sealed class DetectionAccumulator
{
    private readonly IReadOnlyList<double> _ious;
    // Per class: every detection's score and whether it matched, per IoU threshold.
    private readonly List<(double Score, int Image, int Order, bool[] Matched)>[] _detections;
    private readonly int[] _gtCount;
    private int _images;

    public DetectionAccumulator(IReadOnlyList<string> classNames, int maxDetectionsPerImage = 100, IReadOnlyList<double>? iouThresholds = null)
    {
        if (maxDetectionsPerImage < 1) throw new ArgumentOutOfRangeException(nameof(maxDetectionsPerImage), "At least one detection per image.");
        ClassNames = classNames.ToArray();
        MaxDetectionsPerImage = maxDetectionsPerImage;
        _ious = iouThresholds ?? CocoThresholds.Iou;
        _detections = Enumerable.Range(0, ClassNames.Count).Select(_ => new List<(double, int, int, bool[])>()).ToArray();
        _gtCount = new int[ClassNames.Count];
    }

    public IReadOnlyList<string> ClassNames { get; }
    public int MaxDetectionsPerImage { get; }
    public int ImageCount => _images;
    public int GroundTruthCount => _gtCount.Sum();

    /// <summary>Adds one image: its detections and its ground truth boxes, in the same pixel coordinates.</summary>
    public void AddImage(IReadOnlyList<DetectedObject> detections, IReadOnlyList<BoundingBox> groundTruth)
    {
        int image = _images++;
        foreach (var g in groundTruth) CheckLabel(g.Label);
        foreach (var d in detections) CheckLabel(d.Label);
        for (int c = 0; c < ClassNames.Count; c++)
        {
            var gts = groundTruth.Where(g => g.Label == c).ToArray();
            _gtCount[c] += gts.Length;
            // Stable sort by score, as pycocotools' mergesort, then keep the best MaxDetectionsPerImage.
            var dts = detections.Where(d => d.Label == c).OrderByDescending(d => (double)d.Score).Take(MaxDetectionsPerImage).ToArray();
            if (dts.Length == 0) continue;
            var matches = new bool[dts.Length][];
            for (int i = 0; i < dts.Length; i++) matches[i] = new bool[_ious.Count];
            for (int t = 0; t < _ious.Count; t++)
            {
                var taken = new bool[gts.Length];
                for (int i = 0; i < dts.Length; i++)
                {
                    double best = Math.Min(_ious[t], 1 - 1e-10);
                    int m = -1;
                    for (int j = 0; j < gts.Length; j++)
                    {
                        if (taken[j]) continue;
                        double iou = Iou(dts[i].Box, gts[j]);
                        if (iou < best) continue;
                        best = iou;
                        m = j;
                    }
                    if (m < 0) continue;
                    taken[m] = true;
                    matches[i][t] = true;
                }
            }
            for (int i = 0; i < dts.Length; i++) _detections[c].Add((dts[i].Score, image, i, matches[i]));
        }
    }

    /// <summary>Adds a batch of images.</summary>
    public void AddBatch(IReadOnlyList<IReadOnlyList<DetectedObject>> detections, IReadOnlyList<IReadOnlyList<BoundingBox>> groundTruth)
    {
        if (detections.Count != groundTruth.Count)
            throw new ArgumentException($"{detections.Count} detection lists for {groundTruth.Count} images.", nameof(groundTruth));
        for (int i = 0; i < detections.Count; i++) AddImage(detections[i], groundTruth[i]);
    }

    public DetectionMetrics Compute()
    {
        int t50 = IndexOf(0.5), t75 = IndexOf(0.75);
        var perClass = new ClassDetectionMetrics[ClassNames.Count];
        for (int c = 0; c < ClassNames.Count; c++)
        {
            var ranked = _detections[c].OrderByDescending(d => d.Score).ThenBy(d => d.Image).ThenBy(d => d.Order).ToArray();
            if (_gtCount[c] == 0)
            {
                perClass[c] = new ClassDetectionMetrics(c, ClassNames[c], 0, ranked.Length, null, null, null, null, null);
                continue;
            }
            var aps = new double[_ious.Count];
            PrecisionRecallCurve? curve = null;
            for (int t = 0; t < _ious.Count; t++)
            {
                var (ap, pr) = AveragePrecision(ranked.Select(d => d.Matched[t]).ToArray(), _gtCount[c], _ious[t]);
                aps[t] = ap;
                if (t == Math.Max(t50, 0)) curve = pr;
            }
            perClass[c] = new ClassDetectionMetrics(c, ClassNames[c], _gtCount[c], ranked.Length,
                t50 >= 0 ? aps[t50] : null, t75 >= 0 ? aps[t75] : null, aps.Average(), aps, curve);
        }
        var withGt = perClass.Where(p => p.GroundTruthCount > 0).ToArray();
        double? Mean(Func<ClassDetectionMetrics, double?> f) =>
            withGt.Length == 0 || withGt.Any(p => f(p) is null) ? null : withGt.Average(p => f(p)!.Value);
        return new DetectionMetrics(_ious.ToArray(), _images, GroundTruthCount, _detections.Sum(d => d.Count),
            Mean(p => p.Ap50), Mean(p => p.Ap75), Mean(p => p.Ap50To95), perClass);
    }

    /// <summary>
    /// AP of ranked detections (true = matched) against <paramref name="groundTruth"/> boxes, as pycocotools'
    /// accumulate: precision tp / (tp + fp + eps), made non-increasing from the right, sampled at the first
    /// point whose recall reaches each recall threshold (0 where recall never does).
    /// </summary>
    internal static (double Ap, PrecisionRecallCurve Curve) AveragePrecision(IReadOnlyList<bool> matched, int groundTruth, double iouThreshold)
    {
        const double eps = 2.220446049250313e-16; // numpy.spacing(1)
        int n = matched.Count;
        var recall = new double[n];
        var precision = new double[n];
        double tp = 0, fp = 0;
        for (int i = 0; i < n; i++)
        {
            if (matched[i]) tp++; else fp++;
            recall[i] = tp / groundTruth;
            precision[i] = tp / (fp + tp + eps);
        }
        var monotone = (double[])precision.Clone();
        for (int i = n - 1; i > 0; i--)
            if (monotone[i] > monotone[i - 1]) monotone[i - 1] = monotone[i];

        var thresholds = CocoThresholds.Recall;
        var sampled = new double[thresholds.Count];
        int p = 0;
        for (int r = 0; r < thresholds.Count; r++)
        {
            while (p < n && recall[p] < thresholds[r]) p++; // numpy.searchsorted(recall, threshold, side="left")
            sampled[r] = p < n ? monotone[p] : 0;
        }
        return (sampled.Average(), new PrecisionRecallCurve(iouThreshold, recall, precision, thresholds.ToArray(), sampled));
    }

    /// <summary>IoU in double precision, as pycocotools computes it from [x, y, w, h].</summary>
    internal static double Iou(in BoundingBox a, in BoundingBox b)
    {
        double iw = Math.Min((double)a.X2, b.X2) - Math.Max((double)a.X1, b.X1);
        double ih = Math.Min((double)a.Y2, b.Y2) - Math.Max((double)a.Y1, b.Y1);
        if (iw <= 0 || ih <= 0) return 0;
        double inter = iw * ih;
        double union = (double)(a.X2 - a.X1) * (a.Y2 - a.Y1) + (double)(b.X2 - b.X1) * (b.Y2 - b.Y1) - inter;
        return union > 0 ? inter / union : 0;
    }

    private int IndexOf(double iou)
    {
        for (int t = 0; t < _ious.Count; t++)
            if (Math.Abs(_ious[t] - iou) < 1e-9) return t;
        return -1;
    }

    private void CheckLabel(int label)
    {
        if ((uint)label >= (uint)ClassNames.Count)
            throw new ArgumentOutOfRangeException(nameof(label), $"Box label {label} is outside the {ClassNames.Count} classes.");
    }
}
