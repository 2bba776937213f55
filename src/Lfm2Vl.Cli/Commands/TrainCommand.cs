using System.ComponentModel;
using Lfm2Vl.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Lfm2Vl.Cli.Commands;

internal sealed class TrainCommand : Command<TrainCommand.Settings>
{
    /// <summary>Options that override the config file (or the defaults); unset options leave it alone.</summary>
    public sealed class Settings : CommandSettings
    {
        [CommandOption("-c|--config <FILE>")][Description("JSON config (snake_case keys, e.g. {\"batch_size\": 16}); options below override it.")]
        public string? Config { get; init; }
        [CommandOption("-d|--data <DIR>")][Description("Dataset root with train/ and val/ (and test/) class folders.")]
        public string? Data { get; init; }
        [CommandOption("-o|--out <DIR>")][Description("Run folder for checkpoints, logs and plots (default runs/latest).")]
        public string? Out { get; init; }
        [CommandOption("--backbone <NAME>")][Description("cnn or vit.")]
        public string? Backbone { get; init; }
        [CommandOption("--variant <NAME>")][Description("cnn: small, tiny, resnet18; vit: micro, ti.")]
        public string? Variant { get; init; }
        [CommandOption("--input-size <PIXELS>")] public int? InputSize { get; init; }
        [CommandOption("--epochs <N>")] public int? Epochs { get; init; }
        [CommandOption("-b|--batch-size <N>")] public int? BatchSize { get; init; }
        [CommandOption("--lr <RATE>")] public double? Lr { get; init; }
        [CommandOption("--optimizer <NAME>")][Description("sgd, adam or adamw.")] public string? Optimizer { get; init; }
        [CommandOption("--scheduler <NAME>")][Description("none, cosine, step, multistep, onecycle or plateau.")] public string? Scheduler { get; init; }
        [CommandOption("--warmup-epochs <N>")] public double? WarmupEpochs { get; init; }
        [CommandOption("--weight-decay <X>")] public double? WeightDecay { get; init; }
        [CommandOption("--label-smoothing <X>")] public double? LabelSmoothing { get; init; }
        [CommandOption("--grad-clip <NORM>")] public double? GradClip { get; init; }
        [CommandOption("--grad-accumulation <N>")] public int? GradAccumulation { get; init; }
        [CommandOption("--patience <EPOCHS>")][Description("Early-stopping patience (0 disables).")] public int? Patience { get; init; }
        [CommandOption("--monitor <METRIC>")][Description("val_accuracy, val_loss or val_map50.")] public string? Monitor { get; init; }
        [CommandOption("--detection")][Description("Also train the detection head on the COCO boxes.")] public bool? Detection { get; init; }
        [CommandOption("--workers <N>")] public int? Workers { get; init; }
        [CommandOption("--device <NAME>")][Description(DeviceOption.Help)] public string? Device { get; init; }
        [CommandOption("--seed <N>")] public ulong? Seed { get; init; }
        [CommandOption("--resume <CHECKPOINT>")][Description("Continue a run from its last.safetensors.")] public string? Resume { get; init; }
    }

    public static TrainingConfig BuildConfig(Settings s)
    {
        var c = s.Config is null ? new TrainingConfig() : TrainingConfig.Load(s.Config);
        return c with
        {
            DataDir = s.Data ?? c.DataDir,
            OutputDir = s.Out ?? c.OutputDir,
            Backbone = s.Backbone ?? c.Backbone,
            Variant = s.Variant ?? (s.Backbone == "vit" && s.Variant is null && c.Backbone != "vit" ? "micro" : c.Variant),
            InputSize = s.InputSize ?? c.InputSize,
            NumEpochs = s.Epochs ?? c.NumEpochs,
            BatchSize = s.BatchSize ?? c.BatchSize,
            LearningRate = s.Lr ?? c.LearningRate,
            Optimizer = s.Optimizer ?? c.Optimizer,
            Scheduler = s.Scheduler ?? c.Scheduler,
            WarmupEpochs = s.WarmupEpochs ?? c.WarmupEpochs,
            WeightDecay = s.WeightDecay ?? c.WeightDecay,
            LabelSmoothing = s.LabelSmoothing ?? c.LabelSmoothing,
            GradClipNorm = s.GradClip ?? c.GradClipNorm,
            GradAccumulation = s.GradAccumulation ?? c.GradAccumulation,
            EarlyStoppingPatience = s.Patience ?? c.EarlyStoppingPatience,
            MonitorMetric = s.Monitor ?? c.MonitorMetric,
            Detection = s.Detection ?? c.Detection,
            NumWorkers = s.Workers ?? c.NumWorkers,
            Device = s.Device ?? c.Device,
            Seed = s.Seed ?? c.Seed,
        };
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var config = BuildConfig(s);
        // The run records the device it actually used ("auto" resolved).
        config = config with { Device = DeviceOption.Open(config.Device).ToString() };
        var observer = new ConsoleObserver();
        var cancel = Cancellation.OnCtrlC(observer.Message);
        var result = observer.Run(() => new Trainer(config, observer).Run(cancel, s.Resume));
        AnsiConsole.MarkupLineInterpolated($"{result.Message}");
        AnsiConsole.MarkupLineInterpolated($"Run folder: [bold]{result.OutputDir}[/] (model.safetensors, best/last checkpoints, metrics.csv, loss.png, accuracy.png, lr.png)");
        return result.Reason is StopReason.Completed or StopReason.EarlyStopping ? 0 : result.Reason == StopReason.Interrupted ? 130 : 3;
    }
}
