using Lfm2Vl.Nn.Optim;
using Lfm2Vl.Nn.Schedules;
using Lfm2Vl.Vision.Data;
using Lfm2Vl.Vision.Models;

namespace Lfm2Vl.Training;

/// <summary>Builds the pieces of a run (data, model, optimizer, schedule) from a config.</summary>
public static class TrainingSetup
{
    public static TransformConfig Transforms(TrainingConfig c) => new()
    {
        ImageSize = c.InputSize,
        // Small inputs (the CPU demo) keep most of the image; the ImageNet default 0.08 is too aggressive there.
        CropScaleMin = c.InputSize < 128 ? 0.5 : 0.08,
    };

    public static ModelConfig Model(TrainingConfig c, int numClasses) => new()
    {
        ModelType = c.ModelType,
        Backbone = c.Backbone,
        Variant = c.Variant,
        NumClasses = numClasses,
        InputSize = c.InputSize,
        Dropout = c.Dropout,
        Detection = c.Detection,
        Seed = c.Seed,
    };

    public static Optimizer Optimizer(TrainingConfig c, Lfm2VlModel model) =>
        Optimizer(c, ParamGroups.DecayAndNoDecay(model, c.WeightDecay, c.LearningRate));

    /// <summary>The configured optimizer over given parameter groups (each group keeps its own lr and weight decay).</summary>
    public static Optimizer Optimizer(TrainingConfig c, IReadOnlyList<ParamGroup> groups)
    {
        return c.Optimizer switch
        {
            "sgd" => new Sgd(groups, c.LearningRate, momentum: c.Momentum, nesterov: c.Momentum > 0),
            "adam" => new Adam(groups, c.LearningRate),
            _ => new AdamW(groups, c.LearningRate),
        };
    }

    /// <summary>
    /// The per-optimizer-step schedule (null for "none" and "plateau", which is stepped per epoch). Epoch-based
    /// settings are converted to steps so the learning rate changes smoothly within an epoch.
    /// </summary>
    public static LrScheduler? Schedule(TrainingConfig c, Optimizer opt, int stepsPerEpoch)
    {
        int total = Math.Max(1, c.NumEpochs * stepsPerEpoch);
        int warmup = (int)Math.Round(c.WarmupEpochs * stepsPerEpoch);
        LrScheduler? main = c.Scheduler switch
        {
            "cosine" => new CosineAnnealingLR(opt, Math.Max(1, total - warmup), c.MinLearningRate),
            "step" => new StepLR(opt, Math.Max(1, c.StepSizeEpochs * stepsPerEpoch), c.StepGamma),
            "multistep" => new MultiStepLR(opt, c.Milestones.Select(m => m * stepsPerEpoch), c.StepGamma),
            "onecycle" => new OneCycleLR(opt, c.LearningRate, total),
            _ => null,
        };
        if (warmup > 0 && c.Scheduler != "onecycle") return new LinearWarmup(opt, warmup, then: main);
        return main;
    }

    public static ReduceLROnPlateau? Plateau(TrainingConfig c, Optimizer opt) => c.Scheduler == "plateau"
        ? new ReduceLROnPlateau(opt, EpochMetrics.HigherIsBetter(c.MonitorMetric) ? PlateauMode.Max : PlateauMode.Min,
            factor: 0.1, patience: Math.Max(1, c.EarlyStoppingPatience / 2))
        : null;
}
