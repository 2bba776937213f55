using System.ComponentModel;
using Lfm2Vl.Server;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Lfm2Vl.Cli.Commands;

/// <summary>`lfm2vl serve`: the prediction REST API and web page for a checkpoint, until Ctrl+C.</summary>
internal sealed class ServeCommand : AsyncCommand<ServeCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("-m|--model <CHECKPOINT>")] public string Model { get; init; } = "runs/latest/model.safetensors";
        [CommandOption("--urls <URLS>")][Description("Addresses to listen on, separated by ';' (default http://127.0.0.1:8080).")]
        public string Urls { get; init; } = "http://127.0.0.1:8080";
        [CommandOption("--max-queue <N>")][Description("Inference jobs that may wait; more get 503 (default 32).")] public int MaxQueue { get; init; } = 32;
        [CommandOption("--max-concurrent <N>")][Description("Prediction requests handled at once; more get 503 (default 64).")] public int MaxConcurrent { get; init; } = 64;
        [CommandOption("--max-image-mb <MB>")][Description("Largest upload per image in megabytes (default 10).")] public double MaxImageMb { get; init; } = 10;
        [CommandOption("--max-megapixels <MP>")][Description("Largest image in megapixels (default 40).")] public double MaxMegapixels { get; init; } = 40;
        [CommandOption("--max-batch <N>")][Description("Most images in one /predict/batch (default 16).")] public int MaxBatch { get; init; } = 16;
        [CommandOption("-k|--top-k <N>")][Description("Classes per image unless ?topK= says (default 5).")] public int TopK { get; init; } = 5;
        [CommandOption("--device <NAME>")][Description(DeviceOption.Help)] public string? Device { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var options = new ServerOptions
        {
            Urls = s.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            MaxQueueLength = s.MaxQueue,
            MaxConcurrentRequests = s.MaxConcurrent,
            MaxImageBytes = (long)(s.MaxImageMb * 1024 * 1024),
            MaxImagePixels = (long)(s.MaxMegapixels * 1_000_000),
            MaxBatchImages = s.MaxBatch,
            DefaultTopK = s.TopK,
        };
        await using var server = PredictionServer.FromCheckpoint(s.Model, options, device: DeviceOption.Open(s.Device));
        await server.StartAsync(cancellationToken);
        AnsiConsole.MarkupLineInterpolated($"Serving [bold]{server.Model.Name}[/] ({server.Model.Classes.Count} classes, input {server.Model.InputSize}px) on:");
        foreach (var address in server.Addresses) AnsiConsole.MarkupLineInterpolated($"  {address}  (web page at /, API at /predict, description at /openapi.json)");
        AnsiConsole.MarkupLine("Press Ctrl+C to stop.");
        // The host stops on Ctrl+C and on SIGTERM (kill, docker stop), finishing the requests in flight.
        await server.WaitForShutdownAsync(cancellationToken);
        AnsiConsole.MarkupLine("Stopped.");
        return 0;
    }
}
