using System.ComponentModel;
using Lfm2Vl.Deploy;
using Lfm2Vl.Engine;
using Lfm2Vl.Training;
using Lfm2Vl.Training.Checkpoints;
using Lfm2Vl.Vision.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Lfm2Vl.Cli.Commands;

internal sealed class OptimizeCommand : Command<OptimizeCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("-m|--model <CHECKPOINT>")] public string Model { get; init; } = "runs/latest/model.safetensors";
        [CommandOption("-d|--data <DIR>")][Description("Dataset root: calibration images from train/, accuracy on val/.")] public string Data { get; init; } = "data";
        [CommandOption("--target <NAME>")][Description("server (folded float32) or mobile (int8 convolutions).")] public string Target { get; init; } = "mobile";
        [CommandOption("--calibration <N>")][Description("Training images used to calibrate activation ranges (default 64).")] public int Calibration { get; init; } = 64;
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var target = s.Target.ToLowerInvariant() switch
        {
            "server" => OptimizationTarget.Server, "mobile" => OptimizationTarget.Mobile,
            _ => throw new ArgumentException($"Unknown target '{s.Target}'; use server or mobile."),
        };
        var loaded = Checkpoint.LoadModel(s.Model);
        var transforms = new TransformConfig { ImageSize = loaded.Metadata.Model.InputSize, Mean = loaded.Metadata.NormalizeMean, Std = loaded.Metadata.NormalizeStd }.BuildEval();
        var calibration = Batches(ImageFolderDataset.Load(s.Data, DatasetSplit.Train), transforms, s.Calibration).Select(b => b.Images).ToList();
        var validation = Batches(ImageFolderDataset.Load(s.Data, DatasetSplit.Val), transforms, int.MaxValue).Select(b => (b.Images, b.Labels.ToArray<int>())).ToList();
        var result = ModelOptimizer.Optimize(loaded.Model, target, calibration, new OptimizationOptions { Validation = validation });
        AnsiConsole.WriteLine(result.Report.ToText());
        return 0;
    }

    private static IEnumerable<ImageBatch> Batches(IImageDataset dataset, TransformPipeline transforms, int maxImages)
    {
        using var loader = new ImageBatchLoader(dataset, transforms, new LoaderOptions { BatchSize = 32, Shuffle = false, NumWorkers = 2 });
        int seen = 0;
        foreach (var b in loader.Epoch(0))
        {
            if (seen >= maxImages) yield break;
            b.Images.Persist(); b.Labels.Persist();
            seen += b.Count;
            yield return b;
        }
    }
}
