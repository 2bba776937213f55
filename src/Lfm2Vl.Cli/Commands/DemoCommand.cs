using System.ComponentModel;
using System.Diagnostics;
using Lfm2Vl.Training;
using Lfm2Vl.Training.Checkpoints;
using Lfm2Vl.Vision.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Lfm2Vl.Cli.Commands;

/// <summary>
/// The end-to-end demo: synthetic data -> training the small CNN on the CPU -> evaluation on the held-out test
/// split -> a results table, where the plots are, and practical advice. Every number shown is measured.
/// </summary>
internal sealed class DemoCommand : Command<DemoCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("-o|--out <DIR>")][Description("Folder for the generated data and the run (default demo-out).")]
        public string Out { get; init; } = "demo-out";
        [CommandOption("--epochs <N>")][Description("Training epochs (default 12).")]
        public int Epochs { get; init; } = 12;
        [CommandOption("--per-class <N>")][Description("Training images per class (default 60).")]
        public int PerClass { get; init; } = 60;
        [CommandOption("--size <PIXELS>")][Description("Image size (default 64).")]
        public int Size { get; init; } = 64;
        [CommandOption("--seed <N>")] public ulong Seed { get; init; } = 7;
        [CommandOption("-i|--interactive")][Description("Walk through the steps with prompts.")]
        public bool Interactive { get; init; }
    }

    private static readonly SyntheticShape[] DemoClasses = [SyntheticShape.Circle, SyntheticShape.Square, SyntheticShape.Triangle, SyntheticShape.Face];

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        var dataDir = Path.Combine(s.Out, "data");
        var runDir = Path.Combine(s.Out, "run");
        AnsiConsole.Write(new Rule("[bold]lfm2vl demo[/]").LeftJustified());

        Step(s, 1, "Generate a synthetic dataset", $"{DemoClasses.Length} classes ({string.Join(", ", DemoClasses.Select(c => c.ClassName()))}), {s.PerClass} training images per class, {s.Size}x{s.Size} PNG/JPEG with COCO boxes, in {dataDir}.");
        var watch = Stopwatch.StartNew();
        if (Directory.Exists(dataDir)) Directory.Delete(dataDir, recursive: true);
        var data = SyntheticDatasetWriter.Write(dataDir, new SyntheticDatasetOptions
        {
            Classes = DemoClasses, TrainPerClass = s.PerClass, ValPerClass = Math.Max(5, s.PerClass / 4), TestPerClass = Math.Max(5, s.PerClass / 4),
            ImageWidth = s.Size, ImageHeight = s.Size, MaxObjectsPerImage = 2, Seed = s.Seed,
        });
        AnsiConsole.MarkupLineInterpolated($"  wrote {data.Images.Count} images in {watch.Elapsed.TotalSeconds:F1} s");

        var config = new TrainingConfig
        {
            DataDir = dataDir, OutputDir = runDir, Backbone = "cnn", Variant = "small", InputSize = s.Size, BatchSize = 32,
            NumEpochs = s.Epochs, LearningRate = 3e-3, WeightDecay = 0.05, Optimizer = "adamw", Scheduler = "cosine", WarmupEpochs = 1,
            LabelSmoothing = 0.05, Dropout = 0.1, EarlyStoppingPatience = 6, NumWorkers = 2, CacheImages = true, Seed = s.Seed,
        };
        Step(s, 2, "Train the small CNN on the CPU", $"AdamW, lr {config.LearningRate} with 1 warmup epoch and cosine decay, label smoothing {config.LabelSmoothing}, augmentation (random resized crop, flip, brightness, rotation), up to {config.NumEpochs} epochs with early stopping on validation accuracy.");
        var observer = new ConsoleObserver();
        var cancel = Cancellation.OnCtrlC(observer.Message);
        watch.Restart();
        var result = observer.Run(() => new Trainer(config, observer).Run(cancel));
        double trainSeconds = watch.Elapsed.TotalSeconds;
        AnsiConsole.MarkupLineInterpolated($"  {result.Message} ({trainSeconds:F0} s)");
        if (result.Reason is StopReason.Interrupted or StopReason.NonFiniteLoss) return 1;

        Step(s, 3, "Evaluate on the held-out test split", "The best checkpoint (by validation accuracy) on images the model never saw.");
        var loaded = Checkpoint.LoadModel(result.FinalModel);
        var test = ImageFolderDataset.Load(dataDir, DatasetSplit.Test);
        using var loader = new ImageBatchLoader(test, TrainingSetup.Transforms(config).BuildEval(), new LoaderOptions { BatchSize = 32, Shuffle = false, NumWorkers = 2 });
        var (testLoss, testAcc, _) = Trainer.Validate(loaded.Model, loader);

        var best = result.History.MaxBy(h => h.ValAccuracy)!;
        var last = result.History[^1];
        var table = new Table().Title("[bold]Results (measured)[/]").AddColumn("metric").AddColumn(new TableColumn("train").RightAligned())
            .AddColumn(new TableColumn("validation").RightAligned()).AddColumn(new TableColumn("test").RightAligned());
        table.AddRow("accuracy", $"{last.TrainAccuracy:P1}", $"{best.ValAccuracy:P1}", $"{testAcc:P1}");
        table.AddRow("loss", $"{last.TrainLoss:F3}", $"{best.ValLoss:F3}", $"{testLoss:F3}");
        table.AddRow("epochs / best epoch", $"{result.History.Count}", $"{best.Epoch}", "");
        table.AddRow("training speed", $"{result.History.Average(h => h.ImagesPerSecond):F0} img/s", "", "");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"Plots: [bold]{Path.Combine(runDir, "loss.png")}[/], accuracy.png, lr.png; metrics: metrics.csv; model: [bold]{result.FinalModel}[/]");
        AnsiConsole.MarkupLineInterpolated($"Total demo time: {total.Elapsed.TotalSeconds:F0} s.");

        AnsiConsole.Write(new Rule("[bold]Best practices[/]").LeftJustified());
        foreach (var tip in new[]
        {
            "Organize data as data/{train,val,test}/<class>/*.jpg; the folder name is the label. Add annotations/instances_<split>.json (COCO) for boxes.",
            "Start from the small CNN on a CPU; move to resnet18 or vit/ti with more data and a GPU.",
            "Out of memory: lower --batch-size (and raise --grad-accumulation to keep the effective batch).",
            "Overfitting (train far above validation): more augmentation, --weight-decay 0.05, dropout, fewer epochs (early stopping is on).",
            "Poor convergence: lower --lr, add --warmup-epochs 1, enable --grad-clip 1.0.",
            "An interrupted run continues exactly with: lfm2vl train ... --resume runs/<name>/last.safetensors",
        })
            AnsiConsole.MarkupLineInterpolated($"  - {tip}");
        return 0;
    }

    private static void Step(Settings s, int n, string title, string detail)
    {
        AnsiConsole.MarkupLineInterpolated($"[bold]{n}. {title}[/]");
        AnsiConsole.MarkupLineInterpolated($"   {detail}");
        if (s.Interactive && !AnsiConsole.Confirm("   Continue?", defaultValue: true)) throw new OperationCanceledException("Demo stopped at your request.");
    }
}
