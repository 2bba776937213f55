using System.ComponentModel;
using Lfm2Vl.Deploy;
using Lfm2Vl.Deploy.Quantization;
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
        [CommandOption("--target <NAME>")][Description("server (float32: folded CNN or compiled ViT) or mobile (int8 convolutions, CNNs).")] public string Target { get; init; } = "mobile";
        [CommandOption("--calibration <N>")][Description("Training images used to calibrate activation ranges (default 256).")] public int Calibration { get; init; } = 256;
        [CommandOption("--ranges <METHOD>")][Description("minmax (default) or mse (the clipping with the least expected error).")] public string Ranges { get; init; } = "minmax";
        [CommandOption("--no-bias-correction")][Description("Do not correct the int8 convs' per-channel mean shift.")] public bool NoBiasCorrection { get; init; }
        [CommandOption("--float-first-conv")][Description("Keep the first conv in float32.")] public bool FloatFirstConv { get; init; }
        [CommandOption("--float-head")][Description("Keep the head's linear layers in float32.")] public bool FloatHead { get; init; }
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
        var calibration = OptimizationData.Calibration(ImageFolderDataset.Load(s.Data, DatasetSplit.Train), transforms, s.Calibration);
        var validation = OptimizationData.Validation(ImageFolderDataset.Load(s.Data, DatasetSplit.Val), transforms);
        var quantization = new QuantizationOptions
        {
            Calibration = s.Ranges.ToLowerInvariant() switch
            {
                "mse" => CalibrationMethod.Mse, "minmax" => CalibrationMethod.MinMax,
                _ => throw new ArgumentException($"Unknown range method '{s.Ranges}'; use mse or minmax."),
            },
            BiasCorrection = !s.NoBiasCorrection, FloatFirstConv = s.FloatFirstConv, FloatHead = s.FloatHead,
        };
        var result = ModelOptimizer.Optimize(loaded.Model, target, calibration, new OptimizationOptions { Validation = validation, Quantization = quantization });
        AnsiConsole.WriteLine(result.Report.ToText());
        return 0;
    }
}
