namespace Lfm2Vl.Training;

/// <summary>One epoch's measured figures (the rows of metrics.csv / metrics.jsonl).</summary>
public sealed record EpochMetrics
{
    public int Epoch { get; init; }
    public double TrainLoss { get; init; }
    public double TrainAccuracy { get; init; }
    public double ValLoss { get; init; }
    public double ValAccuracy { get; init; }
    public double ValTop5 { get; init; }
    /// <summary>Detection mAP@0.5 on the validation split (NaN when detection is off or there are no boxes).</summary>
    public double ValMap50 { get; init; } = double.NaN;
    public double LearningRate { get; init; }
    public double EpochSeconds { get; init; }
    public double ImagesPerSecond { get; init; }

    public double Monitored(string metric) => metric switch
    {
        "val_loss" => ValLoss,
        "val_accuracy" => ValAccuracy,
        "val_map50" => ValMap50,
        _ => throw new ArgumentException($"Unknown metric '{metric}'."),
    };

    public static bool HigherIsBetter(string metric) => metric != "val_loss";

    public Dictionary<string, double> ToDictionary() => new()
    {
        ["epoch"] = Epoch,
        ["train_loss"] = TrainLoss,
        ["train_accuracy"] = TrainAccuracy,
        ["val_loss"] = ValLoss,
        ["val_accuracy"] = ValAccuracy,
        ["val_top5"] = ValTop5,
        ["val_map50"] = ValMap50,
        ["lr"] = LearningRate,
        ["epoch_seconds"] = EpochSeconds,
        ["images_per_second"] = ImagesPerSecond,
    };

    public static EpochMetrics FromDictionary(IReadOnlyDictionary<string, double> d) => new()
    {
        Epoch = (int)d["epoch"],
        TrainLoss = d["train_loss"],
        TrainAccuracy = d["train_accuracy"],
        ValLoss = d["val_loss"],
        ValAccuracy = d["val_accuracy"],
        ValTop5 = d["val_top5"],
        ValMap50 = d["val_map50"],
        LearningRate = d["lr"],
        EpochSeconds = d["epoch_seconds"],
        ImagesPerSecond = d["images_per_second"],
    };
}

/// <summary>Progress the trainer reports while it runs (the CLI turns it into bars; tests ignore it).</summary>
public interface ITrainingObserver
{
    void RunStarted(TrainingConfig config, int trainImages, int valImages, int batchesPerEpoch, long parameters) { }
    void BatchFinished(int epoch, int batch, int batches, double loss, double accuracy, double lr) { }
    void ValidationStarted(int epoch) { }
    void EpochFinished(EpochMetrics metrics, bool improved) { }
    void Message(string text) { }
}

/// <summary>Why a run ended.</summary>
public enum StopReason
{
    Completed,
    EarlyStopping,
    Interrupted,
    NonFiniteLoss,
}

/// <summary>The outcome of a run: why it stopped, per-epoch history, and where the files are.</summary>
public sealed record TrainingResult(StopReason Reason, IReadOnlyList<EpochMetrics> History, string OutputDir, string BestCheckpoint,
    string LastCheckpoint, string FinalModel, string Message);
