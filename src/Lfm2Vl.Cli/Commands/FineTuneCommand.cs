using System.ComponentModel;
using Lfm2Vl.Training;
using Lfm2Vl.Training.FineTuning;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Lfm2Vl.Cli.Commands;

internal sealed class FineTuneCommand : Command<FineTuneCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("-m|--model <CHECKPOINT>")][Description("Pretrained checkpoint to start from.")] public string Model { get; init; } = "runs/latest/model.safetensors";
        [CommandOption("-d|--data <DIR>")][Description("The new task's dataset root (its class folders define the classes).")] public string Data { get; init; } = "data";
        [CommandOption("-o|--out <DIR>")] public string Out { get; init; } = "runs/finetune";
        [CommandOption("--epochs <N>")] public int Epochs { get; init; } = 10;
        [CommandOption("-b|--batch-size <N>")] public int BatchSize { get; init; } = 32;
        [CommandOption("--lr <RATE>")][Description("Learning rate of the heads (default 1e-4); backbone stages get lower ones.")] public double Lr { get; init; } = 1e-4;
        [CommandOption("--new-num-classes <N>")][Description("Expected number of classes in the new data (a check).")] public int? NewNumClasses { get; init; }
        [CommandOption("--unfreeze-backbone")][Description("Train the whole backbone from the start (default: frozen).")] public bool Unfreeze { get; init; }
        [CommandOption("--progressive")][Description("Unfreeze backbone stages from the top, one every --unfreeze-every epochs.")] public bool Progressive { get; init; }
        [CommandOption("--unfreeze-every <EPOCHS>")] public int UnfreezeEvery { get; init; } = 2;
        [CommandOption("--layer-lr-decay <X>")][Description("lr factor per stage below the heads (default 0.5).")] public double LayerLrDecay { get; init; } = 0.5;
        [CommandOption("--workers <N>")] public int Workers { get; init; } = 4;
        [CommandOption("--seed <N>")] public ulong Seed { get; init; } = 42;
        [CommandOption("--device <NAME>")][Description(DeviceOption.Help)] public string? Device { get; init; }
        [CommandOption("--resume <CHECKPOINT>")] public string? Resume { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var ft = new FineTuningConfig
        {
            PretrainedModelPath = s.Model, FreezeBackbone = !s.Unfreeze, LearningRate = s.Lr, NewNumClasses = s.NewNumClasses,
            ProgressiveUnfreezing = s.Progressive, UnfreezeEveryEpochs = s.UnfreezeEvery, LayerLrDecay = s.LayerLrDecay,
        };
        var training = new TrainingConfig { DataDir = s.Data, OutputDir = s.Out, NumEpochs = s.Epochs, BatchSize = s.BatchSize, NumWorkers = s.Workers, Seed = s.Seed,
            Device = DeviceOption.Open(s.Device).ToString() };
        var observer = new ConsoleObserver();
        var cancel = Cancellation.OnCtrlC(observer.Message);
        var result = observer.Run(() => FineTuner.Run(ft, training, observer, cancel, s.Resume));
        AnsiConsole.MarkupLineInterpolated($"{result.Message} Run folder: [bold]{result.OutputDir}[/]");
        return result.Reason is StopReason.Completed or StopReason.EarlyStopping ? 0 : 3;
    }
}
