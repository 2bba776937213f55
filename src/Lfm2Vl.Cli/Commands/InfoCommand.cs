using System.ComponentModel;
using Lfm2Vl.Training.Checkpoints;
using Lfm2Vl.Vision.Models;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Lfm2Vl.Cli.Commands;

internal sealed class InfoCommand : Command<InfoCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("-m|--model <CHECKPOINT>")][Description("A .safetensors checkpoint; without it, --backbone/--variant describe a fresh model.")]
        public string? Model { get; init; }
        [CommandOption("--backbone <NAME>")] public string Backbone { get; init; } = "cnn";
        [CommandOption("--variant <NAME>")] public string Variant { get; init; } = "small";
        [CommandOption("--input-size <PIXELS>")] public int InputSize { get; init; } = 224;
        [CommandOption("--classes <N>")] public int Classes { get; init; } = 10;
        [CommandOption("--detection")] public bool Detection { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        Lfm2VlModel model;
        if (s.Model is not null)
        {
            var loaded = Checkpoint.LoadModel(s.Model);
            model = loaded.Model;
            AnsiConsole.MarkupLineInterpolated($"[bold]{s.Model}[/]: {loaded.Metadata.Model.Name}, input {loaded.Metadata.Model.InputSize}px, classes: {string.Join(", ", loaded.Metadata.ClassNames)}");
            foreach (var (k, v) in loaded.Metadata.Metrics) AnsiConsole.MarkupLineInterpolated($"  {k} = {v:G4}");
        }
        else
        {
            model = ModelRegistry.Create(new ModelConfig { Backbone = s.Backbone, Variant = s.Variant, InputSize = s.InputSize, NumClasses = s.Classes, Detection = s.Detection });
        }
        var table = new Table().AddColumn("module").AddColumn("type").AddColumn(new TableColumn("parameters").RightAligned());
        foreach (var (name, m) in model.NamedChildren())
        {
            table.AddRow(Markup.Escape(name), Markup.Escape(m.TypeName), m.ParameterCount().ToString("N0"));
            foreach (var (sub, sm) in m.NamedChildren())
                table.AddRow(Markup.Escape($"  {name}.{sub}"), Markup.Escape(sm.TypeName), sm.ParameterCount().ToString("N0"));
        }
        table.AddRow("[bold]total[/]", "", $"[bold]{model.ParameterCount():N0}[/]");
        table.AddRow("trainable", "", model.TrainableParameterCount().ToString("N0"));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine("Variants: " + string.Join("; ", ModelRegistry.Variants.Select(v => Markup.Escape($"{v.Backbone}/{v.Variant}: {v.Description}"))));
        AnsiConsole.MarkupLineInterpolated($"Devices (--device): {DeviceOption.Present()}");
        return 0;
    }
}
