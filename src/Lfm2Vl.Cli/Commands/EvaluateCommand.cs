using System.ComponentModel;
using Lfm2Vl.Engine;
using Lfm2Vl.Training;
using Lfm2Vl.Training.Checkpoints;
using Lfm2Vl.Training.Evaluation;
using Lfm2Vl.Training.Reports;
using Lfm2Vl.Vision.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Lfm2Vl.Cli.Commands;

internal sealed class EvaluateCommand : Command<EvaluateCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("-m|--model <CHECKPOINT>")][Description("The checkpoint to evaluate (e.g. runs/latest/model.safetensors).")]
        public string Model { get; init; } = "runs/latest/model.safetensors";
        [CommandOption("-d|--data <DIR>")][Description("Dataset root.")] public string Data { get; init; } = "data";
        [CommandOption("--split <NAME>")][Description("train, val or test (default test).")] public string Split { get; init; } = "test";
        [CommandOption("-o|--out <DIR>")][Description("Report folder (default: <model folder>/eval-<split>).")] public string? Out { get; init; }
        [CommandOption("--benchmark")][Description("Also measure inference latency (batch 1) and throughput (batch 32).")] public bool Benchmark { get; init; }
        [CommandOption("--device <NAME>")][Description(DeviceOption.Help)] public string? Device { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var split = s.Split.ToLowerInvariant() switch
        {
            "train" => DatasetSplit.Train, "val" => DatasetSplit.Val, "test" => DatasetSplit.Test,
            _ => throw new ArgumentException($"Unknown split '{s.Split}'; use train, val or test."),
        };
        var (result, benchmark, files) = Run(s.Model, s.Data, split, s.Out ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(s.Model))!, $"eval-{s.Split}"), s.Benchmark, DeviceOption.Open(s.Device));
        Show(result, benchmark);
        AnsiConsole.MarkupLineInterpolated($"Report: [bold]{files.Markdown}[/] (also report.html, confusion_matrix.csv/.png)");
        return 0;
    }

    public static (EvaluationResult Result, BenchmarkResult? Benchmark, ReportFiles Files) Run(string model, string data, DatasetSplit split, string outDir, bool benchmark, Device device)
    {
        var loaded = Checkpoint.LoadModel(model, device);
        var dataset = ImageFolderDataset.Load(data, split, new ImageFolderOptions { OnWarning = w => AnsiConsole.MarkupLineInterpolated($"[yellow]warning:[/] {w.Message}") });
        if (!dataset.ClassNames.SequenceEqual(loaded.Metadata.ClassNames))
            throw new ArgumentException($"The model knows classes [{string.Join(", ", loaded.Metadata.ClassNames)}] but '{data}' has [{string.Join(", ", dataset.ClassNames)}].");
        var transforms = new TransformConfig { ImageSize = loaded.Metadata.Model.InputSize, Mean = loaded.Metadata.NormalizeMean, Std = loaded.Metadata.NormalizeStd };
        var evaluator = new ModelEvaluator(loaded.Model, loaded.Metadata.ClassNames, transforms);
        var result = evaluator.Evaluate(dataset);
        var bench = benchmark ? InferenceBenchmark.Run(loaded.Model) : null;
        var files = EvaluationReport.Write(outDir, result, bench, $"Evaluation of {Path.GetFileName(model)} on {split.FolderName()}");
        return (result, bench, files);
    }

    public static void Show(EvaluationResult r, BenchmarkResult? bench)
    {
        var c = r.Classification;
        var top5 = c.TopKAccuracyFor(5) is { } t5 ? $", top-5 {t5:P1}" : "";
        AnsiConsole.MarkupLineInterpolated($"[bold]{r.ImageCount}[/] images: accuracy [bold]{c.Accuracy:P1}[/], loss {r.Loss:F4}, macro F1 {c.MacroAverage.F1:F3}{top5}");
        var table = new Table().AddColumn("class").AddColumn(new TableColumn("precision").RightAligned()).AddColumn(new TableColumn("recall").RightAligned())
            .AddColumn(new TableColumn("F1").RightAligned()).AddColumn(new TableColumn("support").RightAligned());
        foreach (var m in c.PerClass) table.AddRow(Markup.Escape(m.ClassName), $"{m.Precision:F3}", $"{m.Recall:F3}", $"{m.F1:F3}", $"{m.Support}");
        table.AddRow("[bold]macro avg[/]", $"{c.MacroAverage.Precision:F3}", $"{c.MacroAverage.Recall:F3}", $"{c.MacroAverage.F1:F3}", $"{c.MacroAverage.Support}");
        AnsiConsole.Write(table);
        var cm = new Table().AddColumn("true \\ predicted");
        foreach (var n in c.ClassNames) cm.AddColumn(new TableColumn(Markup.Escape(n)).RightAligned());
        for (int i = 0; i < c.ClassNames.Count; i++)
            cm.AddRow([Markup.Escape(c.ClassNames[i]), .. Enumerable.Range(0, c.ClassNames.Count).Select(j => c.ConfusionMatrix[i, j].ToString())]);
        AnsiConsole.Write(cm);
        if (r.Detection is { } d) AnsiConsole.MarkupLineInterpolated($"Detection: mAP@0.5 {d.MapAt50:F3}, mAP@0.5:0.95 {d.MapAt50To95:F3}");
        if (bench is not null)
        {
            var bt = new Table().Title("Inference benchmark (measured)").AddColumn("device").AddColumn(new TableColumn("batch").RightAligned())
                .AddColumn(new TableColumn("p50 ms").RightAligned()).AddColumn(new TableColumn("p95 ms").RightAligned()).AddColumn(new TableColumn("images/s").RightAligned());
            foreach (var row in bench.Rows) bt.AddRow(Markup.Escape(row.Device), $"{row.BatchSize}", $"{row.P50Ms:F2}", $"{row.P95Ms:F2}", $"{row.ImagesPerSecond:F1}");
            AnsiConsole.Write(bt);
        }
    }
}
