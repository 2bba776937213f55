namespace Lfm2Vl.Training.Evaluation;

/// <summary>
/// Raw precision-recall points of one class at one IoU threshold (after each detection in score order) and
/// the interpolated precision at the 101 recall thresholds 0, 0.01, ..., 1 that COCO averages into AP.
/// </summary>
public sealed record PrecisionRecallCurve(double IouThreshold, IReadOnlyList<double> Recall, IReadOnlyList<double> Precision,
    IReadOnlyList<double> RecallThresholds, IReadOnlyList<double> InterpolatedPrecision);

/// <summary>
/// AP of one class. <see cref="Ap50"/> is at IoU 0.5, <see cref="Ap50To95"/> the mean over IoU 0.5:0.05:0.95,
/// <see cref="ApPerIou"/> one value per threshold. All are null for a class without ground truth (COCO leaves
/// such classes out of the mean). <see cref="Curve"/> is at IoU 0.5.
/// </summary>
public sealed record ClassDetectionMetrics(int ClassIndex, string ClassName, int GroundTruthCount, int DetectionCount,
    double? Ap50, double? Ap75, double? Ap50To95, IReadOnlyList<double>? ApPerIou, PrecisionRecallCurve? Curve);

/// <summary>
/// COCO-style detection results: mAP@0.5 and mAP@0.5:0.95 are means over the classes that have ground truth
/// (null when none has).
/// </summary>
public sealed record DetectionMetrics(
    IReadOnlyList<double> IouThresholds,
    int ImageCount,
    int GroundTruthCount,
    int DetectionCount,
    double? MapAt50,
    double? MapAt75,
    double? MapAt50To95,
    IReadOnlyList<ClassDetectionMetrics> PerClass);
