using Lfm2Vl.Nn.Optim;
using Lfm2Vl.Vision.Models;

namespace Lfm2Vl.Training;

/// <summary>
/// The points where a run can differ from plain training (the fine-tuner uses them): where the model comes from,
/// how parameters are grouped for the optimizer, and what changes at the start of each epoch. Everything else
/// (data, loop, checkpoints, resume) is shared. Defaults: a fresh model, decay/no-decay groups, nothing per epoch.
/// </summary>
public interface IRunCustomization
{
    Lfm2VlModel CreateModel(TrainingConfig config, int numClasses, IReadOnlyList<string> classNames) =>
        ModelRegistry.Create(TrainingSetup.Model(config, numClasses));

    Optimizer CreateOptimizer(TrainingConfig config, Lfm2VlModel model) => TrainingSetup.Optimizer(config, model);

    /// <summary>Called before each epoch (also the first epoch after a resume), before the model is set to training mode.</summary>
    void OnEpochStart(int epoch, Lfm2VlModel model, ITrainingObserver observer) { }
}
