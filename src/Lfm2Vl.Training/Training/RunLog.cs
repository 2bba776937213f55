using System.Globalization;
using System.Text.Json;
using ScottPlot;

namespace Lfm2Vl.Training;

/// <summary>Per-run files: metrics as CSV and JSON lines, and PNG plots of loss, accuracy and learning rate.</summary>
public static class RunLog
{
    private static readonly string[] Columns =
        ["epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "val_top5", "val_map50", "lr", "epoch_seconds", "images_per_second"];

    /// <summary>Rewrites metrics.csv and metrics.jsonl from the whole history (so a resumed run has one consistent log).</summary>
    public static void WriteMetrics(string dir, IReadOnlyList<EpochMetrics> history)
    {
        var csv = new System.Text.StringBuilder(string.Join(",", Columns)).Append('\n');
        var jsonl = new System.Text.StringBuilder();
        foreach (var m in history)
        {
            var d = m.ToDictionary();
            csv.Append(string.Join(",", Columns.Select(c => Format(d[c])))).Append('\n');
            jsonl.Append(JsonSerializer.Serialize(d.ToDictionary(kv => kv.Key, kv => double.IsFinite(kv.Value) ? (double?)kv.Value : null))).Append('\n');
        }
        AtomicFile.WriteAllText(Path.Combine(dir, "metrics.csv"), csv.ToString());
        AtomicFile.WriteAllText(Path.Combine(dir, "metrics.jsonl"), jsonl.ToString());
    }

    private static string Format(double v) => double.IsFinite(v) ? v.ToString("G6", CultureInfo.InvariantCulture) : "";

    /// <summary>loss.png, accuracy.png and lr.png; returns their paths.</summary>
    public static IReadOnlyList<string> WritePlots(string dir, IReadOnlyList<EpochMetrics> history)
    {
        if (history.Count == 0) return [];
        double[] epochs = history.Select(h => (double)h.Epoch).ToArray();
        var files = new List<string>
        {
            Plot(dir, "loss.png", "Loss", "loss", epochs, ("train", history.Select(h => h.TrainLoss)), ("validation", history.Select(h => h.ValLoss))),
            Plot(dir, "accuracy.png", "Accuracy", "accuracy", epochs, ("train", history.Select(h => h.TrainAccuracy)), ("validation", history.Select(h => h.ValAccuracy))),
            Plot(dir, "lr.png", "Learning rate", "learning rate", epochs, ("lr", history.Select(h => h.LearningRate))),
        };
        if (history.Any(h => double.IsFinite(h.ValMap50)))
            files.Add(Plot(dir, "map50.png", "Detection mAP@0.5", "mAP@0.5", epochs, ("validation", history.Select(h => h.ValMap50))));
        return files;
    }

    private static string Plot(string dir, string file, string title, string yLabel, double[] x, params (string Label, IEnumerable<double> Values)[] series)
    {
        var plot = new Plot();
        foreach (var (label, values) in series)
        {
            var ys = values.Select(v => double.IsFinite(v) ? v : double.NaN).ToArray();
            var s = plot.Add.Scatter(x, ys);
            s.LegendText = label;
        }
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel(yLabel);
        plot.ShowLegend();
        var path = Path.Combine(dir, file);
        plot.SavePng(path, 800, 500);
        return path;
    }
}
