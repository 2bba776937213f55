using Lfm2Vl.Cli.Commands;
using Spectre.Console.Cli;

namespace Lfm2Vl.Cli;

/// <summary>The lfm2vl command line: the commands and their help, callable from tests as well as from Main.</summary>
public static class CliApp
{
    public static int Main(string[] args) => Run(args);

    public static int Run(params string[] args)
    {
        var app = new CommandApp();
        app.Configure(Configure);
        return app.Run(args);
    }

    private static void Configure(IConfigurator config)
    {
        config.SetApplicationName("lfm2vl");
        config.AddCommand<DemoCommand>("demo")
            .WithDescription("Generate synthetic data, train the small CNN (on --device, auto by default), evaluate it, fine-tune it to new classes, and show measured results (start here).");
        config.AddCommand<MakeDataCommand>("make-data")
            .WithDescription("Write a synthetic image-folder dataset (PNG/JPEG shapes and faces with COCO boxes).");
        config.AddCommand<TrainCommand>("train")
            .WithDescription("Train a model on an image-folder dataset (data/{train,val,test}/<class>/*.jpg).");
        config.AddCommand<EvaluateCommand>("evaluate")
            .WithDescription("Per-class precision/recall/F1, confusion matrix, detection mAP and a report (Markdown/HTML/PNG) on a split.");
        config.AddCommand<PredictCommand>("predict")
            .WithDescription("Top-k classes (and boxes) for images or folders; optional JSON and annotated copies.");
        config.AddCommand<FineTuneCommand>("finetune")
            .WithDescription("Transfer a trained model to new classes: frozen backbone, optional progressive unfreezing.");
        config.AddCommand<ServeCommand>("serve")
            .WithDescription("Serve a model over HTTP: POST /predict, /predict/batch, GET /health, /model, /openapi.json and a web page at /.");
        config.AddCommand<OptimizeCommand>("optimize")
            .WithDescription("Fold BatchNorm and (mobile) quantize to int8; report size, accuracy and latency before and after.");
        config.AddCommand<ExportCommand>("export")
            .WithDescription("Export a model to ONNX (opset 17+), checked against ONNX Runtime in the tests.");
        config.AddCommand<InfoCommand>("info")
            .WithDescription("Show a model's layers and parameter counts (from a checkpoint or a backbone name).");
        config.SetExceptionHandler((e, _) =>
        {
            Spectre.Console.AnsiConsole.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
            // LFM2VL_DEBUG=1 shows where it happened (for bug reports).
            if (Environment.GetEnvironmentVariable("LFM2VL_DEBUG") == "1") Console.Error.WriteLine(e);
            return 1;
        });
    }
}
