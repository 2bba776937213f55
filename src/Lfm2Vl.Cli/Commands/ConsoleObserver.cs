using Lfm2Vl.Training;
using Spectre.Console;

namespace Lfm2Vl.Cli.Commands;

/// <summary>Prints training progress: a live bar on a terminal, one line per epoch otherwise.</summary>
internal sealed class ConsoleObserver : ITrainingObserver
{
    private ProgressTask? _task;
    private int _lastPlainPercent = -1;

    public ProgressContext? Progress { get; set; }

    public static bool Interactive => AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;

    public void RunStarted(TrainingConfig config, int trainImages, int valImages, int batchesPerEpoch, long parameters) =>
        AnsiConsole.MarkupLineInterpolated($"Training [bold]{config.Backbone}/{config.Variant}[/] ({parameters:N0} parameters) on device {config.Device}, {trainImages} images, validating on {valImages}; {batchesPerEpoch} batches of {config.BatchSize} per epoch, {config.NumEpochs} epochs.");

    public void BatchFinished(int epoch, int batch, int batches, double loss, double accuracy, double lr)
    {
        if (Progress is not null)
        {
            if (_task is null || _task.IsFinished) _task = Progress.AddTask($"epoch {epoch}", maxValue: batches);
            _task.Value = batch;
            _task.Description = $"epoch {epoch}  loss {loss:F3}  acc {accuracy:P0}";
            return;
        }
        int percent = batch * 100 / Math.Max(batches, 1);
        if (percent / 25 != _lastPlainPercent / 25 || batch == batches)
        {
            _lastPlainPercent = percent;
            Console.WriteLine($"  epoch {epoch}: {batch}/{batches} batches, loss {loss:F4}, accuracy {accuracy:P1}");
        }
    }

    public void EpochFinished(EpochMetrics m, bool improved)
    {
        if (_task is not null) { _task.Value = _task.MaxValue; _task.StopTask(); }
        _lastPlainPercent = -1;
        var line = $"epoch {m.Epoch,3}  train loss {m.TrainLoss:F4} acc {m.TrainAccuracy:P1}  |  val loss {m.ValLoss:F4} acc {m.ValAccuracy:P1}  |  lr {m.LearningRate:G3}  {m.EpochSeconds:F1}s  {m.ImagesPerSecond:F0} img/s{(improved ? "  *best" : "")}";
        if (Progress is not null) AnsiConsole.WriteLine(line); else Console.WriteLine(line);
    }

    public void Message(string text)
    {
        if (Progress is not null) AnsiConsole.MarkupLineInterpolated($"[yellow]{text}[/]"); else Console.WriteLine(text);
    }

    /// <summary>Runs the action inside a live progress display on terminals, plainly elsewhere.</summary>
    public T Run<T>(Func<T> action)
    {
        if (!Interactive) return action();
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx => { Progress = ctx; result = action(); Progress = null; });
        return result;
    }
}
