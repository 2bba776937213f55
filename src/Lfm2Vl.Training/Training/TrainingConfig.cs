using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lfm2Vl.Training;

/// <summary>
/// Everything a training run needs, with the product spec's fields and defaults (model type, classes, input size,
/// batch size, learning rate, epochs, device, workers) plus what users of serious tools expect. Loads from JSON
/// (snake_case keys), is overridden by command-line options, and is saved with every run.
/// </summary>
public sealed record TrainingConfig
{
    // Model
    public string ModelType { get; init; } = "lfm2_vl";
    public string Backbone { get; init; } = "cnn";
    public string Variant { get; init; } = "small";
    /// <summary>0 = take the number of classes from the dataset.</summary>
    public int NumClasses { get; init; }
    public int InputSize { get; init; } = 224;
    public double Dropout { get; init; } = 0.2;
    public bool Detection { get; init; }

    // Data
    public string DataDir { get; init; } = "data";
    public int BatchSize { get; init; } = 32;
    public int NumWorkers { get; init; } = 4;
    public bool CacheImages { get; init; }
    public bool Augment { get; init; } = true;
    public bool StrictData { get; init; }

    // Optimization
    public string Optimizer { get; init; } = "adamw";      // sgd | adam | adamw
    public double LearningRate { get; init; } = 0.001;
    public double WeightDecay { get; init; } = 0.01;
    public double Momentum { get; init; } = 0.9;
    public string Scheduler { get; init; } = "cosine";     // none | cosine | step | multistep | onecycle | plateau
    public double MinLearningRate { get; init; } = 1e-6;
    public int StepSizeEpochs { get; init; } = 30;
    public double StepGamma { get; init; } = 0.1;
    public int[] Milestones { get; init; } = [];
    public double WarmupEpochs { get; init; }
    public double LabelSmoothing { get; init; }
    public double[]? ClassWeights { get; init; }
    public double GradClipNorm { get; init; }
    public int GradAccumulation { get; init; } = 1;

    // Schedule of the run
    public int NumEpochs { get; init; } = 10;
    public int EarlyStoppingPatience { get; init; } = 5;
    /// <summary>val_loss | val_accuracy | val_map50 (when detection is on).</summary>
    public string MonitorMetric { get; init; } = "val_accuracy";
    public int SaveEveryEpochs { get; init; }

    // Detection loss weights
    public double DetectionWeight { get; init; } = 1.0;
    public double BoxLossWeight { get; init; } = 1.0;
    public double CenternessLossWeight { get; init; } = 1.0;

    // Hardware and bookkeeping
    /// <summary>
    /// auto (a CUDA GPU, else an OpenCL GPU, else the CPU), cuda[:i], opencl[:i], cpu or ilgpu-cpu. Accelerators are
    /// opened by the lfm2vl command (--device) or by Lfm2Vl.Engine.Ilgpu.DeviceSelector before the run; the trainer
    /// looks the name up among the opened devices (<see cref="TrainingDevice.Resolve"/>).
    /// </summary>
    public string Device { get; init; } = "auto";
    public ulong Seed { get; init; } = 42;
    public string OutputDir { get; init; } = "runs/latest";

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static TrainingConfig Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"Config file '{path}' does not exist.", path);
        try
        {
            return JsonSerializer.Deserialize<TrainingConfig>(File.ReadAllText(path), Json)
                ?? throw new InvalidDataException($"Config file '{path}' is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Config file '{path}' is not valid: {e.Message} (keys are snake_case, e.g. \"batch_size\").", e);
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public void Save(string path) => AtomicFile.WriteAllText(path, ToJson());

    /// <summary>Checks value ranges and names, listing every problem at once.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (BatchSize < 1) errors.Add($"batch_size must be >= 1 (got {BatchSize}).");
        if (NumEpochs < 1) errors.Add($"num_epochs must be >= 1 (got {NumEpochs}).");
        if (!(LearningRate > 0)) errors.Add($"learning_rate must be > 0 (got {LearningRate}).");
        if (InputSize < 16) errors.Add($"input_size must be >= 16 (got {InputSize}).");
        if (GradAccumulation < 1) errors.Add($"grad_accumulation must be >= 1 (got {GradAccumulation}).");
        if (NumWorkers < 0) errors.Add($"num_workers must be >= 0 (got {NumWorkers}).");
        if (LabelSmoothing < 0 || LabelSmoothing >= 1) errors.Add($"label_smoothing must be in [0, 1) (got {LabelSmoothing}).");
        if (Dropout < 0 || Dropout >= 1) errors.Add($"dropout must be in [0, 1) (got {Dropout}).");
        if (Optimizer is not ("sgd" or "adam" or "adamw")) errors.Add($"optimizer must be sgd, adam or adamw (got '{Optimizer}').");
        if (Scheduler is not ("none" or "cosine" or "step" or "multistep" or "onecycle" or "plateau"))
            errors.Add($"scheduler must be none, cosine, step, multistep, onecycle or plateau (got '{Scheduler}').");
        if (MonitorMetric is not ("val_loss" or "val_accuracy" or "val_map50")) errors.Add($"monitor_metric must be val_loss, val_accuracy or val_map50 (got '{MonitorMetric}').");
        if (MonitorMetric == "val_map50" && !Detection) errors.Add("monitor_metric val_map50 needs detection: true.");
        if (errors.Count > 0) throw new ArgumentException("Invalid training config:\n  " + string.Join("\n  ", errors));
    }
}
