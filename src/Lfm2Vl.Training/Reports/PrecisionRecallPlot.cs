using Lfm2Vl.Training.Evaluation;
using ScottPlot;

namespace Lfm2Vl.Training.Reports;

/// <summary>A class's precision-recall curve at IoU 0.5 as a PNG: the raw points and COCO's interpolated envelope.</summary>
public static class PrecisionRecallPlot
{
    public static void SavePng(string path, ClassDetectionMetrics metrics, int width = 640, int height = 480)
    {
        var curve = metrics.Curve ?? throw new ArgumentException($"Class '{metrics.ClassName}' has no ground truth, so no precision-recall curve.", nameof(metrics));
        using var plot = new Plot();
        var interpolated = plot.Add.ScatterLine(curve.RecallThresholds.ToArray(), curve.InterpolatedPrecision.ToArray());
        interpolated.LegendText = $"interpolated (AP@0.5 = {metrics.Ap50:0.000})";
        interpolated.LineWidth = 2;
        interpolated.ConnectStyle = ConnectStyle.StepVertical;
        if (curve.Recall.Count > 0)
        {
            var raw = plot.Add.ScatterPoints(curve.Recall.ToArray(), curve.Precision.ToArray());
            raw.LegendText = $"detections ({curve.Recall.Count})";
            raw.MarkerSize = 4;
        }
        plot.Axes.SetLimits(0, 1.02, 0, 1.05);
        plot.Title($"Precision-recall: {metrics.ClassName} (IoU {curve.IouThreshold:0.##}, {metrics.GroundTruthCount} boxes)");
        plot.XLabel("Recall");
        plot.YLabel("Precision");
        plot.ShowLegend(Alignment.LowerLeft);
        ConfusionMatrixPlot.EnsureFolder(path);
        plot.SavePng(path, width, height);
    }
}
