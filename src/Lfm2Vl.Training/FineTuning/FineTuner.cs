using Lfm2Vl.Training.Checkpoints;

namespace Lfm2Vl.Training.FineTuning;

/// <summary>Fine-tunes a pretrained checkpoint on a new image-folder dataset (library entry point of `lfm2vl finetune`).</summary>
public static class FineTuner
{
    /// <summary>
    /// Runs the fine-tuning. The model settings (backbone, input size) come from the checkpoint; the data,
    /// epochs, batch size and output folder from <paramref name="training"/>.
    /// </summary>
    public static TrainingResult Run(FineTuningConfig ft, TrainingConfig training, ITrainingObserver? observer = null,
        CancellationToken cancel = default, string? resume = null)
    {
        var meta = Checkpoint.ReadMetadata(ft.PretrainedModelPath);
        var config = training with
        {
            ModelType = meta.Model.ModelType,
            Backbone = meta.Model.Backbone,
            Variant = meta.Model.Variant,
            InputSize = meta.Model.InputSize,
            Dropout = meta.Model.Dropout,
            NumClasses = 0,
            LearningRate = ft.LearningRate,
        };
        return new Trainer(config, observer, new FineTuneRun(ft)).Run(cancel, resume);
    }
}
