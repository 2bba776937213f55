namespace Lfm2Vl.Training.FineTuning;

/// <summary>
/// Transfer learning settings, as the product spec's FineTuningConfig: a pretrained checkpoint, a frozen backbone,
/// a (lower) learning rate, a new number of classes, and optional progressive unfreezing with discriminative
/// learning rates. The data, epochs and batch size come from the <see cref="TrainingConfig"/> it is used with.
/// </summary>
public sealed record FineTuningConfig
{
    public string PretrainedModelPath { get; init; } = "checkpoints/best_model.safetensors";
    public bool FreezeBackbone { get; init; } = true;
    public double LearningRate { get; init; } = 1e-4;
    /// <summary>Expected number of classes of the new task (null: whatever the data has). The heads are replaced when it differs from the checkpoint's.</summary>
    public int? NewNumClasses { get; init; }
    /// <summary>Unfreeze backbone stages from the top, one every <see cref="UnfreezeEveryEpochs"/> epochs.</summary>
    public bool ProgressiveUnfreezing { get; init; }
    public int UnfreezeEveryEpochs { get; init; } = 2;
    /// <summary>Learning-rate factor per backbone stage below the heads (stage k from the top gets lr * factor^k).</summary>
    public double LayerLrDecay { get; init; } = 0.5;
}
