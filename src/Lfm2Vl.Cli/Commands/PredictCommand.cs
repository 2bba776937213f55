using System.ComponentModel;
using Lfm2Vl.Training.Checkpoints;
using Lfm2Vl.Training.Evaluation;
using Lfm2Vl.Training.Reports;
using Lfm2Vl.Vision.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Lfm2Vl.Cli.Commands;

internal sealed class PredictCommand : Command<PredictCommand.Settings>
{
    private static readonly string[] ImageExtensions = [".jpg", ".jpeg", ".png", ".bmp"];

    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<IMAGES>")][Description("Image files or folders (folders are searched for jpg/png/bmp).")]
        public string[] Images { get; init; } = [];
        [CommandOption("-m|--model <CHECKPOINT>")] public string Model { get; init; } = "runs/latest/model.safetensors";
        [CommandOption("-k|--top-k <N>")][Description("Classes to show per image (default 3).")] public int TopK { get; init; } = 3;
        [CommandOption("--json <FILE>")][Description("Also write the predictions as JSON.")] public string? Json { get; init; }
        [CommandOption("--draw <DIR>")][Description("Write copies of the images with the detected boxes drawn.")] public string? Draw { get; init; }
        [CommandOption("--device <NAME>")][Description(DeviceOption.Help)] public string? Device { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var paths = s.Images.SelectMany<string, string>(p => Directory.Exists(p)
            ? Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories).Where(f => ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant())).Order()
            .ToList()
            : File.Exists(p) ? [p] : throw new FileNotFoundException($"'{p}' is neither an image file nor a folder.", p)).ToList();
        if (paths.Count == 0) throw new ArgumentException("No images given (jpg, jpeg, png or bmp).");
        var loaded = Checkpoint.LoadModel(s.Model, DeviceOption.Open(s.Device));
        var transforms = new TransformConfig { ImageSize = loaded.Metadata.Model.InputSize, Mean = loaded.Metadata.NormalizeMean, Std = loaded.Metadata.NormalizeStd };
        var evaluator = new ModelEvaluator(loaded.Model, loaded.Metadata.ClassNames, transforms);
        var predictions = evaluator.Predict(paths, Math.Clamp(s.TopK, 1, loaded.Metadata.ClassNames.Count));
        var table = new Table().AddColumn("image").AddColumn("prediction").AddColumn(new TableColumn("probability").RightAligned()).AddColumn("boxes");
        foreach (var p in predictions)
            table.AddRow(Markup.Escape(Path.GetFileName(p.Path)), Markup.Escape(string.Join(", ", p.TopK.Select(t => t.ClassName))),
                string.Join(", ", p.TopK.Select(t => t.Probability.ToString("P1"))), p.Boxes.Count.ToString());
        AnsiConsole.Write(table);
        if (s.Json is not null) { PredictionJson.Write(s.Json, predictions); AnsiConsole.MarkupLineInterpolated($"JSON: {s.Json}"); }
        if (s.Draw is not null)
        {
            Directory.CreateDirectory(s.Draw);
            foreach (var p in predictions) BoxOverlay.SaveAnnotatedCopy(p, Path.Combine(s.Draw, Path.GetFileNameWithoutExtension(p.Path) + ".png"));
            AnsiConsole.MarkupLineInterpolated($"Annotated copies: {s.Draw}");
        }
        return 0;
    }
}
