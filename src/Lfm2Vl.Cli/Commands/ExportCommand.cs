using System.ComponentModel;
using Lfm2Vl.Deploy.Onnx;
using Lfm2Vl.Training.Checkpoints;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Lfm2Vl.Cli.Commands;

internal sealed class ExportCommand : Command<ExportCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("-m|--model <CHECKPOINT>")] public string Model { get; init; } = "runs/latest/model.safetensors";
        [CommandOption("--format <NAME>")][Description("onnx (the only format).")] public string Format { get; init; } = "onnx";
        [CommandOption("-o|--out <FILE>")][Description("Output file (default: the checkpoint's name with .onnx).")] public string? Out { get; init; }
        [CommandOption("--opset <N>")][Description("ONNX opset (17 or newer).")] public int Opset { get; init; } = 17;
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        if (!s.Format.Equals("onnx", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"Unknown export format '{s.Format}'; the only one is onnx.");
        var loaded = Checkpoint.LoadModel(s.Model);
        var path = s.Out ?? Path.ChangeExtension(s.Model, ".onnx");
        var r = OnnxExporter.Export(loaded.Model, path, s.Opset);
        AnsiConsole.MarkupLineInterpolated($"Wrote [bold]{r.Path}[/]: opset {r.Opset}, {r.Nodes} nodes ({string.Join(", ", r.OpTypes)}), input [[N, 3, {r.InputSize}, {r.InputSize}]], {r.NumClasses} classes, {r.Bytes:N0} bytes.");
        return 0;
    }
}
