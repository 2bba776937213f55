using Lfm2Vl.Nn.Serialization;
using Lfm2Vl.Training.Checkpoints;
using Lfm2Vl.Training.FineTuning;
using Lfm2Vl.Training.Tests.Training;
using Lfm2Vl.Vision.Data;
using Xunit;

namespace Lfm2Vl.Training.Tests.FineTuning;

public class FineTunerTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>Task A: circle/square/triangle. Task B: cross/face (new classes, same kind of images).</summary>
    private static (TinyRun A, string TaskB) Tasks(int perClassA = 12, int perClassB = 8)
    {
        var a = new TinyRun(perClass: perClassA);
        var b = Path.Combine(a.Root, "task-b");
        SyntheticDatasetWriter.Write(b, new SyntheticDatasetOptions
        {
            Classes = [SyntheticShape.Cross, SyntheticShape.Face], TrainPerClass = perClassB, ValPerClass = 12, TestPerClass = 2,
            ImageWidth = 32, ImageHeight = 32, MaxObjectsPerImage = 1, Seed = 5,
        });
        return (a, b);
    }

    [Fact]
    public void UnfreezingScheduleCountsStagesFromTheTop()
    {
        var run = new FineTuneRun(new FineTuningConfig { ProgressiveUnfreezing = true, UnfreezeEveryEpochs = 2 });
        Assert.Equal(new[] { 0, 0, 1, 1, 2, 2, 3, 4, 4 }, new[] { 0, 1, 2, 3, 4, 5, 6, 8, 20 }.Select(e => run.TrainableStages(e, 4)).ToArray());
        Assert.Equal(0, new FineTuneRun(new FineTuningConfig()).TrainableStages(10, 4));
        Assert.Equal(4, new FineTuneRun(new FineTuningConfig { FreezeBackbone = false }).TrainableStages(0, 4));
    }

    [Fact]
    public void FrozenBackboneStaysBitIdenticalAndNewHeadsKeepTheNewClassNames()
    {
        var (a, taskB) = Tasks();
        using var _ = a;
        var pre = new Trainer(a.Config with { NumEpochs = 2 }).Run();
        var ft = FineTuner.Run(new FineTuningConfig { PretrainedModelPath = pre.FinalModel, LearningRate = 3e-3 },
            a.Config with { DataDir = taskB, OutputDir = Path.Combine(a.Root, "ft"), NumEpochs = 2 });
        Assert.Equal(StopReason.Completed, ft.Reason);
        var tuned = Checkpoint.LoadModel(ft.LastCheckpoint);
        Assert.Equal(["cross", "face"], tuned.Metadata.ClassNames);
        Assert.Equal(2, tuned.Model.Config.NumClasses);
        using var before = SafetensorsReader.Load(pre.FinalModel);
        using var after = SafetensorsReader.Load(ft.LastCheckpoint);
        foreach (var (name, t) in before.Tensors.Where(kv => kv.Key.StartsWith("model.backbone.", StringComparison.Ordinal)))
            Assert.True(t.ToDoubleArray().SequenceEqual(after[name].ToDoubleArray()), $"{name} changed although the backbone was frozen (BatchNorm statistics included)");
        Assert.Contains(before.Tensors.Keys, k => k.StartsWith("model.classifier.", StringComparison.Ordinal));
        Assert.NotEqual(before["model.classifier.fc.weight"].Shape, after["model.classifier.fc.weight"].Shape);
    }

    [Fact]
    public void ProgressiveUnfreezingTrainsTheTopStageOnlyOnceItsTurnComes()
    {
        var (a, taskB) = Tasks();
        using var _ = a;
        var pre = new Trainer(a.Config with { NumEpochs = 1 }).Run();
        var ft = FineTuner.Run(new FineTuningConfig { PretrainedModelPath = pre.FinalModel, ProgressiveUnfreezing = true, UnfreezeEveryEpochs = 1, LearningRate = 3e-3 },
            a.Config with { DataDir = taskB, OutputDir = Path.Combine(a.Root, "ft"), NumEpochs = 2 });
        using var before = SafetensorsReader.Load(pre.FinalModel);
        using var after = SafetensorsReader.Load(ft.LastCheckpoint);
        bool Same(string prefix) => before.Tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
            .All(kv => kv.Value.ToDoubleArray().SequenceEqual(after[kv.Key].ToDoubleArray()));
        // Epoch 1: no stage trainable; epoch 2: the top stage (stage4) only.
        Assert.False(Same("model.backbone.stage4."));
        Assert.True(Same("model.backbone.stage1."));
        Assert.True(Same("model.backbone.stage3."));
    }

    [Fact]
    public void FineTuningFromTaskABeatsTrainingTaskBFromScratch()
    {
        // Few task-B images: features learned on task A have to carry the new task.
        var (a, taskB) = Tasks(perClassA: 40, perClassB: 4);
        using var _ = a;
        // Enough steps to get past the initial plateau (PyTorch shows the same one on this data).
        var pre = new Trainer(a.Config with { NumEpochs = 25, LearningRate = 1e-3, Augment = false }).Run();
        output.WriteLine($"task A best val accuracy {pre.History.Max(h => h.ValAccuracy):P0}");
        var common = a.Config with { DataDir = taskB, NumEpochs = 5, LearningRate = 1e-3, BatchSize = 4 };
        var scratch = new Trainer(common with { OutputDir = Path.Combine(a.Root, "scratch") }).Run();
        var tuned = FineTuner.Run(new FineTuningConfig { PretrainedModelPath = pre.FinalModel, FreezeBackbone = false, LearningRate = 1e-3 },
            common with { OutputDir = Path.Combine(a.Root, "tuned") });
        double scratchLoss = scratch.History.Min(h => h.ValLoss), tunedLoss = tuned.History.Min(h => h.ValLoss);
        output.WriteLine($"task B best val loss: fine-tuned {tunedLoss:F3} (acc {tuned.History.Max(h => h.ValAccuracy):P0}), scratch {scratchLoss:F3} (acc {scratch.History.Max(h => h.ValAccuracy):P0})");
        Assert.True(tunedLoss < scratchLoss - 0.05, $"fine-tuned best val loss {tunedLoss:F3} vs scratch {scratchLoss:F3}");
    }
}
