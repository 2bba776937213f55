using System.ComponentModel;
using Lfm2Vl.Vision.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Lfm2Vl.Cli.Commands;

internal sealed class MakeDataCommand : Command<MakeDataCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<DIR>")]
        [Description("Folder to write (train/, val/, test/, annotations/).")]
        public string Dir { get; init; } = "";

        [CommandOption("--classes <LIST>")]
        [Description("Comma-separated classes from circle,square,triangle,cross,face (default: all five).")]
        public string? Classes { get; init; }

        [CommandOption("--train <N>")][Description("Training images per class (default 40).")]
        public int Train { get; init; } = 40;

        [CommandOption("--val <N>")][Description("Validation images per class (default 10).")]
        public int Val { get; init; } = 10;

        [CommandOption("--test <N>")][Description("Test images per class (default 10).")]
        public int Test { get; init; } = 10;

        [CommandOption("--size <PIXELS>")][Description("Image width and height (default 96).")]
        public int Size { get; init; } = 96;

        [CommandOption("--max-objects <N>")][Description("Objects per image, at most (default 3).")]
        public int MaxObjects { get; init; } = 3;

        [CommandOption("--seed <N>")][Description("Random seed (default 0).")]
        public ulong Seed { get; init; }
    }

    public static IReadOnlyList<SyntheticShape> ParseClasses(string? list) => list is null
        ? SyntheticShapes.All
        : list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(n => Enum.TryParse<SyntheticShape>(n, ignoreCase: true, out var s) ? s
                : throw new ArgumentException($"Unknown class '{n}'; choose from {string.Join(", ", SyntheticShapes.All.Select(x => x.ClassName()))}."))
            .ToArray();

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var result = SyntheticDatasetWriter.Write(s.Dir, new SyntheticDatasetOptions
        {
            Classes = ParseClasses(s.Classes), TrainPerClass = s.Train, ValPerClass = s.Val, TestPerClass = s.Test,
            ImageWidth = s.Size, ImageHeight = s.Size, MaxObjectsPerImage = s.MaxObjects, Seed = s.Seed,
        });
        AnsiConsole.MarkupLineInterpolated($"Wrote {result.Images.Count} images of {result.ClassNames.Count} classes ({string.Join(", ", result.ClassNames)}) to [bold]{result.Root}[/].");
        return 0;
    }
}
