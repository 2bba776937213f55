using System.Globalization;
using System.Text;
using Lfm2Vl.Training.Evaluation;

namespace Lfm2Vl.Training.Reports;

/// <summary>The files one report wrote (absolute paths).</summary>
public sealed record ReportFiles(string Folder, string Markdown, string Html, string ConfusionMatrixCsv, string ConfusionMatrixPng, IReadOnlyList<string> PrecisionRecallPngs)
{
    public IEnumerable<string> All => new[] { Markdown, Html, ConfusionMatrixCsv, ConfusionMatrixPng }.Concat(PrecisionRecallPngs);
}

/// <summary>
/// Writes an evaluation report into a folder: report.md and report.html (the same content: overall metrics,
/// per-class precision/recall/F1/support, the confusion matrix, the most confused pairs, the detection AP table
/// and the benchmark table), confusion_matrix.csv, confusion_matrix.png and one pr_&lt;class&gt;.png per class
/// with ground-truth boxes. Images are linked relatively, so the folder can be moved as a whole.
/// </summary>
public static class EvaluationReport
{
    /// <summary>Above this many classes the confusion matrix is left out of the tables (it stays in the CSV and PNG).</summary>
    public const int MaxTabulatedClasses = 30;

    public static ReportFiles Write(string folder, EvaluationResult result, BenchmarkResult? benchmark = null, string? title = null)
    {
        folder = Path.GetFullPath(folder);
        Directory.CreateDirectory(folder);
        var cls = result.Classification;
        var names = cls.ClassNames;

        string csv = Path.Combine(folder, "confusion_matrix.csv");
        ConfusionMatrixCsv.Write(csv, cls.ConfusionMatrix, names);
        string png = Path.Combine(folder, "confusion_matrix.png");
        ConfusionMatrixPlot.SavePng(png, cls.ConfusionMatrix, names);

        var prFiles = new List<(ClassDetectionMetrics Metrics, string File)>();
        if (result.Detection is { } det)
        {
            var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var c in det.PerClass.Where(c => c.Curve is not null))
            {
                string file = UniqueName($"pr_{SafeFileName(c.ClassName)}", ".png", used);
                PrecisionRecallPlot.SavePng(Path.Combine(folder, file), c);
                prFiles.Add((c, file));
            }
        }

        var doc = Build(result, benchmark, title ?? $"Evaluation of {result.ModelName}", Path.GetFileName(csv), Path.GetFileName(png), prFiles);
        string md = Path.Combine(folder, "report.md");
        File.WriteAllText(md, MarkdownRenderer.Render(doc));
        string html = Path.Combine(folder, "report.html");
        File.WriteAllText(html, HtmlRenderer.Render(doc));
        return new ReportFiles(folder, md, html, csv, png, prFiles.Select(p => Path.Combine(folder, p.File)).ToArray());
    }

    /// <summary>The report's content, for callers that render it themselves.</summary>
    public static ReportDocument Build(EvaluationResult result, BenchmarkResult? benchmark, string title,
        string confusionCsv, string confusionPng, IReadOnlyList<(ClassDetectionMetrics Metrics, string File)> precisionRecallPngs)
    {
        var cls = result.Classification;
        var doc = new ReportDocument(title);
        doc.Paragraph($"Model {result.ModelName} on {result.Device}: {result.ImageCount} images, {cls.ClassNames.Count} classes.");

        doc.Heading("Overall metrics");
        var overall = new List<string[]> { new[] { "Accuracy", F(cls.Accuracy) } };
        overall.AddRange(cls.TopK.Where(t => t.K > 1).Select(t => new[] { $"Top-{t.K} accuracy", F(t.Accuracy) }));
        overall.Add(["Loss (cross-entropy)", F(result.Loss)]);
        overall.Add(["Macro precision", F(cls.MacroAverage.Precision)]);
        overall.Add(["Macro recall", F(cls.MacroAverage.Recall)]);
        overall.Add(["Macro F1", F(cls.MacroAverage.F1)]);
        overall.Add(["Weighted precision", F(cls.WeightedAverage.Precision)]);
        overall.Add(["Weighted recall", F(cls.WeightedAverage.Recall)]);
        overall.Add(["Weighted F1", F(cls.WeightedAverage.F1)]);
        if (result.Detection is { } d)
        {
            overall.Add(["mAP@0.5", F(d.MapAt50)]);
            overall.Add(["mAP@0.5:0.95", F(d.MapAt50To95)]);
            if (result.DetectionLoss is { } dl) overall.Add(["Detection loss", F(dl)]);
        }
        doc.Table(["Metric", "Value"], overall, 1);

        doc.Heading("Per-class metrics");
        var perClass = cls.PerClass.Select(m => (IReadOnlyList<string>)[m.ClassName, F(m.Precision), F(m.Recall), F(m.F1), m.Support.ToString(CultureInfo.InvariantCulture)]).ToList();
        perClass.Add(["macro avg", F(cls.MacroAverage.Precision), F(cls.MacroAverage.Recall), F(cls.MacroAverage.F1), cls.MacroAverage.Support.ToString(CultureInfo.InvariantCulture)]);
        perClass.Add(["weighted avg", F(cls.WeightedAverage.Precision), F(cls.WeightedAverage.Recall), F(cls.WeightedAverage.F1), cls.WeightedAverage.Support.ToString(CultureInfo.InvariantCulture)]);
        doc.Table(["Class", "Precision", "Recall", "F1", "Support"], perClass, 1, 2, 3, 4);

        doc.Heading("Confusion matrix");
        doc.Paragraph($"Rows are true classes, columns predicted classes; counts are also in {confusionCsv}.");
        doc.Image(confusionPng, "Confusion matrix (colour: fraction of the true class)");
        int n = cls.ConfusionMatrix.NumClasses;
        if (n <= MaxTabulatedClasses)
        {
            var header = new List<string> { "true \\ predicted" };
            header.AddRange(cls.ClassNames);
            var rows = Enumerable.Range(0, n).Select(t =>
                (IReadOnlyList<string>)new[] { cls.ClassNames[t] }.Concat(Enumerable.Range(0, n).Select(p => cls.ConfusionMatrix[t, p].ToString(CultureInfo.InvariantCulture))).ToArray());
            doc.Table(header, rows, Enumerable.Range(1, n).ToArray());
        }

        doc.Heading("Most confused pairs");
        if (cls.MostConfused.Count == 0) doc.Paragraph("No misclassifications.");
        else
            doc.Table(["True class", "Predicted as", "Count", "Share of true class"],
                cls.MostConfused.Select(p => (IReadOnlyList<string>)[p.TrueName, p.PredictedName, p.Count.ToString(CultureInfo.InvariantCulture), Percent(p.FractionOfTrue)]), 2, 3);

        if (result.Detection is { } det)
        {
            doc.Heading("Detection");
            doc.Paragraph($"COCO-style box AP (101-point interpolation, IoU 0.5:0.05:0.95) over {det.ImageCount} images, " +
                          $"{det.GroundTruthCount} ground-truth boxes and {det.DetectionCount} detections; classes without ground truth are left out of the means.");
            var rows = det.PerClass.Select(c => (IReadOnlyList<string>)[c.ClassName, c.GroundTruthCount.ToString(CultureInfo.InvariantCulture),
                c.DetectionCount.ToString(CultureInfo.InvariantCulture), F(c.Ap50), F(c.Ap75), F(c.Ap50To95)]).ToList();
            rows.Add(["mean", det.GroundTruthCount.ToString(CultureInfo.InvariantCulture), det.DetectionCount.ToString(CultureInfo.InvariantCulture), F(det.MapAt50), F(det.MapAt75), F(det.MapAt50To95)]);
            doc.Table(["Class", "GT boxes", "Detections", "AP@0.5", "AP@0.75", "AP@0.5:0.95"], rows, 1, 2, 3, 4, 5);
            foreach (var (m, file) in precisionRecallPngs)
                doc.Image(file, $"Precision-recall at IoU 0.5: {m.ClassName}");
        }

        if (benchmark is not null)
        {
            doc.Heading("Inference benchmark");
            doc.Paragraph($"{benchmark.Model} at {benchmark.InputSize}x{benchmark.InputSize}; warm-up runs excluded.");
            doc.Table(["Device", "Batch", "Time per batch (mean)", "p50", "p95", "Images/s"],
                benchmark.Rows.Select(r => (IReadOnlyList<string>)[r.Device, r.BatchSize.ToString(CultureInfo.InvariantCulture),
                    Ms(r.MeanMs), Ms(r.P50Ms), Ms(r.P95Ms), r.ImagesPerSecond.ToString("0.0", CultureInfo.InvariantCulture)]), 1, 2, 3, 4, 5);
        }
        return doc;
    }

    private static string F(double? v) => v is { } x ? x.ToString("0.0000", CultureInfo.InvariantCulture) : "n/a";
    private static string Percent(double v) => (100 * v).ToString("0.0", CultureInfo.InvariantCulture) + "%";
    private static string Ms(double v) => v.ToString(v < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + " ms";

    /// <summary>Letters, digits, '-' and '_' kept; anything else becomes '_'.</summary>
    internal static string SafeFileName(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (char ch in name) sb.Append(char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' ? ch : '_');
        return sb.Length == 0 ? "class" : sb.ToString();
    }

    private static string UniqueName(string stem, string ext, HashSet<string> used)
    {
        string name = stem + ext;
        for (int i = 2; !used.Add(name); i++) name = $"{stem}_{i}{ext}";
        return name;
    }
}
