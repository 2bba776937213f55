using Lfm2Vl.Nn.Layers;
using Lfm2Vl.Nn.Modules;
using Lfm2Vl.Nn.Optim;
using Lfm2Vl.Training.Checkpoints;
using Lfm2Vl.Vision.Models;

namespace Lfm2Vl.Training.FineTuning;

/// <summary>
/// The fine-tuning variant of a training run: the model comes from a checkpoint (heads replaced when the class
/// count changes), the backbone starts frozen (its BatchNorm statistics too), stages are unfrozen from the top
/// on a schedule, and each stage trains with its own, lower learning rate.
/// </summary>
public sealed class FineTuneRun : IRunCustomization
{
    private readonly FineTuningConfig ft;

    public FineTuneRun(FineTuningConfig settings) => ft = settings;

    public FineTuningConfig Settings => ft;

    public Lfm2VlModel CreateModel(TrainingConfig config, int numClasses, IReadOnlyList<string> classNames)
    {
        var loaded = Checkpoint.LoadModel(ft.PretrainedModelPath);
        if (ft.NewNumClasses is { } expected && expected != numClasses)
            throw new ArgumentException($"new_num_classes is {expected}, but the data has {numClasses} classes ({string.Join(", ", classNames)}).");
        var model = loaded.Model;
        bool sameTask = numClasses == model.Config.NumClasses && loaded.Metadata.ClassNames.SequenceEqual(classNames);
        if (!sameTask) model.ReplaceHeads(numClasses, config.Seed);
        if (model.Config.Detection != config.Detection && config.Detection)
            throw new ArgumentException("The pretrained model has no detection head; fine-tune with detection off or train a detection model first.");
        model.Train();
        return model;
    }

    /// <summary>Heads and neck at the fine-tuning lr; backbone stage k from the top at lr * decay^k.</summary>
    public Optimizer CreateOptimizer(TrainingConfig config, Lfm2VlModel model)
    {
        var groups = new List<ParamGroup>();
        void Add(string name, IEnumerable<Parameter> ps, double lr)
        {
            var list = ps.ToList();
            var decay = list.Where(p => p.Rank >= 2).ToList();
            var noDecay = list.Where(p => p.Rank < 2).ToList();
            if (decay.Count > 0) groups.Add(new ParamGroup(decay, lr, config.WeightDecay, name));
            if (noDecay.Count > 0) groups.Add(new ParamGroup(noDecay, lr, 0, name + ".no_decay"));
        }
        var backbone = new HashSet<Parameter>(model.Backbone.Parameters());
        Add("heads", model.Parameters().Where(p => !backbone.Contains(p)), ft.LearningRate);
        var stages = model.Backbone.Stages;
        for (int k = 1; k <= stages.Count; k++)
            Add($"backbone.stage{stages.Count - k}", stages[stages.Count - k].Parameters(), ft.LearningRate * Math.Pow(ft.LayerLrDecay, k));
        return TrainingSetup.Optimizer(config, groups);
    }

    /// <summary>How many backbone stages (from the top) are trainable during an epoch.</summary>
    public int TrainableStages(int epoch, int stageCount)
    {
        if (!ft.FreezeBackbone) return stageCount;
        if (!ft.ProgressiveUnfreezing) return 0;
        return Math.Min(stageCount, epoch / Math.Max(1, ft.UnfreezeEveryEpochs));
    }

    public void OnEpochStart(int epoch, Lfm2VlModel model, ITrainingObserver observer)
    {
        var stages = model.Backbone.Stages;
        int trainable = TrainableStages(epoch, stages.Count);
        for (int i = 0; i < stages.Count; i++)
        {
            bool frozen = i < stages.Count - trainable;
            if (frozen) stages[i].Freeze(); else stages[i].Unfreeze();
            foreach (var (_, m) in stages[i].NamedModules())
                if (m is BatchNorm2d bn) bn.StatisticsFrozen = frozen;
        }
        observer.Message($"epoch {epoch + 1}: {trainable} of {stages.Count} backbone stages trainable");
    }
}
