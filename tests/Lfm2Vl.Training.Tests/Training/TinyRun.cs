using Lfm2Vl.Training;
using Lfm2Vl.Vision.Data;

namespace Lfm2Vl.Training.Tests.Training;

/// <summary>A tiny synthetic dataset in a temp folder and a config that trains on it in seconds.</summary>
internal sealed class TinyRun : IDisposable
{
    public TinyRun(int perClass = 8, int size = 32, ulong seed = 3)
    {
        Root = Path.Combine(Path.GetTempPath(), "lfm2vl-train-" + Guid.NewGuid().ToString("N")[..8]);
        DataDir = Path.Combine(Root, "data");
        SyntheticDatasetWriter.Write(DataDir, new SyntheticDatasetOptions
        {
            Classes = [SyntheticShape.Circle, SyntheticShape.Square, SyntheticShape.Triangle],
            TrainPerClass = perClass, ValPerClass = 4, TestPerClass = 4, ImageWidth = size, ImageHeight = size, MaxObjectsPerImage = 1, Seed = seed,
        });
        Config = new TrainingConfig
        {
            DataDir = DataDir, OutputDir = Path.Combine(Root, "run"), InputSize = size, BatchSize = 8, NumEpochs = 3,
            NumWorkers = 0, LearningRate = 3e-3, WarmupEpochs = 1, EarlyStoppingPatience = 0, Dropout = 0.2, Seed = 11,
        };
    }

    public string Root { get; }
    public string DataDir { get; }
    public TrainingConfig Config { get; }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}

/// <summary>Requests cancellation when a given epoch reaches a given batch.</summary>
internal sealed class CancelAt(CancellationTokenSource cts, int epoch, int batch) : ITrainingObserver
{
    public void BatchFinished(int e, int b, int batches, double loss, double accuracy, double lr)
    {
        if (e == epoch && b == batch) cts.Cancel();
    }
}
