using System.ComponentModel;
using System.Diagnostics;
using Lfm2Vl.Training;
using Lfm2Vl.Training.FineTuning;
using Lfm2Vl.Vision.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Lfm2Vl.Cli.Commands;

/// <summary>
/// The end-to-end demo: synthetic data -> training the small CNN on the CPU -> evaluation on the held-out test
/// split -> fine-tuning to new classes -> a results table, where the plots and reports are, and practical advice.
/// Every number shown is measured in the run.
/// </summary>
internal sealed class DemoCommand : Command<DemoCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("-o|--out <DIR>")][Description("Folder for the generated data and the runs (default demo-out).")]
        public string Out { get; init; } = "demo-out";
        [CommandOption("--epochs <N>")][Description("Training epochs on task A (default 30).")]
        public int Epochs { get; init; } = 30;
        [CommandOption("--per-class <N>")][Description("Training images per class for task A (default 100).")]
        public int PerClass { get; init; } = 100;
        [CommandOption("--size <PIXELS>")][Description("Image size (default 64).")]
        public int Size { get; init; } = 64;
        [CommandOption("--seed <N>")] public ulong Seed { get; init; } = 7;
        [CommandOption("-i|--interactive")][Description("Walk through the steps with prompts.")]
        public bool Interactive { get; init; }
        [CommandOption("--device <NAME>")][Description(DeviceOption.Help)] public string? Device { get; init; }
    }

    private static readonly SyntheticShape[] TaskA = [SyntheticShape.Circle, SyntheticShape.Square, SyntheticShape.Triangle];
    private static readonly SyntheticShape[] TaskB = [SyntheticShape.Cross, SyntheticShape.Face];

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        var device = DeviceOption.Open(s.Device);
        var dataA = Path.Combine(s.Out, "data-a");
        var dataB = Path.Combine(s.Out, "data-b");
        var runA = Path.Combine(s.Out, "run-a");
        var runB = Path.Combine(s.Out, "run-b");
        AnsiConsole.Write(new Rule("[bold]lfm2vl demo[/]").LeftJustified());

        Step(s, 1, "Generate synthetic datasets", $"Task A: {Names(TaskA)}, {s.PerClass} training images per class. Task B (for fine-tuning): {Names(TaskB)}, {Math.Max(4, s.PerClass / 4)} per class. {s.Size}x{s.Size} PNG/JPEG with COCO boxes.");
        var watch = Stopwatch.StartNew();
        int images = Generate(dataA, TaskA, s.PerClass, s) + Generate(dataB, TaskB, Math.Max(4, s.PerClass / 4), s);
        AnsiConsole.MarkupLineInterpolated($"  wrote {images} images in {watch.Elapsed.TotalSeconds:F1} s");

        var config = new TrainingConfig
        {
            DataDir = dataA, OutputDir = runA, Backbone = "cnn", Variant = "small", InputSize = s.Size, BatchSize = 16,
            NumEpochs = s.Epochs, LearningRate = 2e-3, WeightDecay = 0.05, Optimizer = "adamw", Scheduler = "cosine", WarmupEpochs = 1,
            LabelSmoothing = 0.05, Dropout = 0.1, EarlyStoppingPatience = 8, NumWorkers = 2, CacheImages = true, Seed = s.Seed,
            Device = device.ToString(),
        };
        Step(s, 2, $"Train the small CNN on task A ({device})", $"AdamW, lr {config.LearningRate} with a warmup epoch and cosine decay, label smoothing {config.LabelSmoothing}, augmentation (random resized crop, flip, brightness, rotation), up to {config.NumEpochs} epochs with early stopping on validation accuracy.");
        var observer = new ConsoleObserver();
        var cancel = Cancellation.OnCtrlC(observer.Message);
        watch.Restart();
        var resultA = observer.Run(() => new Trainer(config, observer).Run(cancel));
        double trainSeconds = watch.Elapsed.TotalSeconds;
        AnsiConsole.MarkupLineInterpolated($"  {resultA.Message} ({trainSeconds:F0} s)");
        if (resultA.Reason is StopReason.Interrupted or StopReason.NonFiniteLoss) return 1;

        Step(s, 3, "Evaluate on task A's held-out test split", "The best checkpoint on images it never saw: per-class metrics, confusion matrix, inference benchmark, report.");
        var (evalA, bench, filesA) = EvaluateCommand.Run(resultA.FinalModel, dataA, DatasetSplit.Test, Path.Combine(runA, "eval-test"), benchmark: true, device);
        EvaluateCommand.Show(evalA, bench);

        var ft = new FineTuningConfig { PretrainedModelPath = resultA.FinalModel, LearningRate = 2e-3, ProgressiveUnfreezing = true, UnfreezeEveryEpochs = 2 };
        int ftEpochs = Math.Max(4, s.Epochs / 2);
        Step(s, 4, "Fine-tune to task B (new classes)", $"New heads for {Names(TaskB)}; the backbone starts frozen and its stages unfreeze from the top every 2 epochs with lower learning rates; {ftEpochs} epochs.");
        watch.Restart();
        var resultB = observer.Run(() => FineTuner.Run(ft, config with { DataDir = dataB, OutputDir = runB, NumEpochs = ftEpochs }, observer, cancel));
        double ftSeconds = watch.Elapsed.TotalSeconds;
        if (resultB.Reason is StopReason.Interrupted or StopReason.NonFiniteLoss) return 1;
        var (evalB, _, filesB) = EvaluateCommand.Run(resultB.FinalModel, dataB, DatasetSplit.Test, Path.Combine(runB, "eval-test"), benchmark: false, device);

        var best = resultA.History.MaxBy(h => h.ValAccuracy)!;
        var table = new Table().Title("[bold]Results (all measured in this run)[/]").AddColumn("").AddColumn(new TableColumn("train").RightAligned())
            .AddColumn(new TableColumn("validation").RightAligned()).AddColumn(new TableColumn("test").RightAligned()).AddColumn(new TableColumn("time").RightAligned());
        table.AddRow($"task A accuracy ({TaskA.Length} classes)", $"{best.TrainAccuracy:P1}", $"{best.ValAccuracy:P1}", $"{evalA.Accuracy:P1}", $"{trainSeconds:F0} s");
        table.AddRow("task A macro F1", "", "", $"{evalA.Classification.MacroAverage.F1:F3}", "");
        var bestB = resultB.History.MaxBy(h => h.ValAccuracy)!;
        table.AddRow($"task B accuracy, fine-tuned ({TaskB.Length} classes)", $"{bestB.TrainAccuracy:P1}", $"{bestB.ValAccuracy:P1}", $"{evalB.Accuracy:P1}", $"{ftSeconds:F0} s");
        table.AddRow("training speed", $"{resultA.History.Average(h => h.ImagesPerSecond):F0} img/s", "", "", "");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"Plots: [bold]{Path.Combine(runA, "loss.png")}[/], accuracy.png, lr.png; reports: [bold]{filesA.Markdown}[/], {filesB.Markdown}");
        AnsiConsole.MarkupLineInterpolated($"Models: {resultA.FinalModel}, {resultB.FinalModel}. Total demo time: {total.Elapsed.TotalSeconds:F0} s.");

        AnsiConsole.Write(new Rule("[bold]Best practices[/]").LeftJustified());
        foreach (var tip in new[]
        {
            "Organize data as data/{train,val,test}/<class>/*.jpg; the folder name is the label. Add annotations/instances_<split>.json (COCO) for boxes.",
            "Start from the small CNN on a CPU; move to resnet18 or vit/ti with more data and a GPU.",
            "Out of memory: lower --batch-size (and raise --grad-accumulation to keep the effective batch).",
            "Overfitting (train far above validation): more augmentation, --weight-decay 0.05, dropout, fewer epochs (early stopping is on).",
            "Poor convergence: lower --lr, add --warmup-epochs 1, enable --grad-clip 1.0.",
            "Few images for a new task: fine-tune a trained model (lfm2vl finetune --progressive) instead of training from scratch.",
            "An interrupted run continues exactly with: lfm2vl train ... --resume runs/<name>/last.safetensors",
        })
            AnsiConsole.MarkupLineInterpolated($"  - {tip}");
        return 0;
    }

    private static string Names(SyntheticShape[] shapes) => string.Join(", ", shapes.Select(c => c.ClassName()));

    private static int Generate(string dir, SyntheticShape[] classes, int perClass, Settings s)
    {
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        return SyntheticDatasetWriter.Write(dir, new SyntheticDatasetOptions
        {
            Classes = classes, TrainPerClass = perClass, ValPerClass = Math.Max(8, perClass / 4), TestPerClass = Math.Max(8, perClass / 4),
            ImageWidth = s.Size, ImageHeight = s.Size, MaxObjectsPerImage = 1, Seed = s.Seed,
        }).Images.Count;
    }

    private static void Step(Settings s, int n, string title, string detail)
    {
        AnsiConsole.MarkupLineInterpolated($"[bold]{n}. {title}[/]");
        AnsiConsole.MarkupLineInterpolated($"   {detail}");
        if (s.Interactive && !AnsiConsole.Confirm("   Continue?", defaultValue: true)) throw new OperationCanceledException("Demo stopped at your request.");
    }
}
