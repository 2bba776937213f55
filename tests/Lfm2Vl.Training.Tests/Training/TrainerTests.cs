using Lfm2Vl.Engine;
using Lfm2Vl.Nn.Serialization;
using Lfm2Vl.Training.Checkpoints;
using Xunit;

namespace Lfm2Vl.Training.Tests.Training;

public class TrainerTests
{
    [Fact]
    public void TrainsAndWritesCheckpointsLogsAndPlots()
    {
        using var run = new TinyRun();
        var result = new Trainer(run.Config).Run();
        Assert.Equal(StopReason.Completed, result.Reason);
        Assert.Equal(3, result.History.Count);
        Assert.All(result.History, h => Assert.True(double.IsFinite(h.TrainLoss) && double.IsFinite(h.ValLoss)));
        foreach (var f in new[] { "config.json", "metrics.csv", "metrics.jsonl", "loss.png", "accuracy.png", "lr.png", "best.safetensors", "last.safetensors", "model.safetensors" })
            Assert.True(File.Exists(Path.Combine(result.OutputDir, f)), $"{f} was not written");
        Assert.Equal(4, File.ReadAllLines(Path.Combine(result.OutputDir, "metrics.csv")).Length);
        var loaded = Checkpoint.LoadModel(result.FinalModel);
        Assert.Equal(["circle", "square", "triangle"], loaded.Metadata.ClassNames);
        Assert.Equal(3, loaded.Model.Config.NumClasses);
        // The saved config is the effective one and loads back equal.
        Assert.Equal(run.Config, TrainingConfig.Load(Path.Combine(result.OutputDir, "config.json")) with { Milestones = run.Config.Milestones });
    }

    [Fact]
    public void DetectionTrainingReportsValidationMap()
    {
        using var run = new TinyRun();
        var cfg = run.Config with { Detection = true, MonitorMetric = "val_map50", NumEpochs = 2 };
        var result = new Trainer(cfg).Run();
        Assert.Equal(StopReason.Completed, result.Reason);
        Assert.All(result.History, h => Assert.InRange(h.ValMap50, 0.0, 1.0));
        var loaded = Checkpoint.LoadModel(result.FinalModel);
        Assert.NotNull(loaded.Model.Detector);
        Assert.True(File.Exists(Path.Combine(result.OutputDir, "map50.png")));
    }

    [Fact]
    public void InterruptedAndResumedRunEqualsAnUninterruptedOne()
    {
        using var run = new TinyRun();
        var straightCfg = run.Config with { OutputDir = Path.Combine(run.Root, "straight") };
        var straight = new Trainer(straightCfg).Run();

        var resumedCfg = run.Config with { OutputDir = Path.Combine(run.Root, "resumed") };
        using var cts = new CancellationTokenSource();
        var first = new Trainer(resumedCfg, new CancelAt(cts, epoch: 2, batch: 2)).Run(cts.Token);
        Assert.Equal(StopReason.Interrupted, first.Reason);
        Assert.Single(first.History);
        var second = new Trainer(resumedCfg).Run(resume: first.LastCheckpoint);
        Assert.Equal(StopReason.Completed, second.Reason);

        Assert.Equal(straight.History.Select(h => h.TrainLoss), second.History.Select(h => h.TrainLoss));
        Assert.Equal(straight.History.Select(h => h.ValAccuracy), second.History.Select(h => h.ValAccuracy));
        using var a = SafetensorsReader.Load(straight.LastCheckpoint);
        using var b = SafetensorsReader.Load(second.LastCheckpoint);
        foreach (var (name, t) in a.Tensors)
            Assert.True(t.ToDoubleArray().SequenceEqual(b[name].ToDoubleArray()), $"{name} differs after resume");
    }

    [Fact]
    public void EarlyStoppingTriggersWhenTheMonitoredMetricStalls()
    {
        using var run = new TinyRun();
        // A learning rate too small to change the weights: validation accuracy cannot rise after epoch 1.
        var cfg = run.Config with { LearningRate = 1e-12, Scheduler = "none", WarmupEpochs = 0, Dropout = 0, EarlyStoppingPatience = 1, MonitorMetric = "val_accuracy", NumEpochs = 6, Augment = false };
        var result = new Trainer(cfg).Run();
        Assert.Equal(StopReason.EarlyStopping, result.Reason);
        Assert.True(result.History.Count < 6);
        Assert.Contains("did not improve", result.Message);
    }

    [Fact]
    public void EarlyStoppingRuleCountsEpochsWithoutStrictImprovement()
    {
        double best = double.NaN; int bad = 0;
        bool[] improved = new[] { 0.5, 0.6, 0.6, 0.55, 0.7, 0.69 }.Select(v => EarlyStopping.Update(true, v, ref best, ref bad)).ToArray();
        Assert.Equal(new[] { true, true, false, false, true, false }, improved);
        Assert.Equal(0.7, best);
        Assert.Equal(1, bad);
        Assert.False(EarlyStopping.ShouldStop(2, bad));
        Assert.True(EarlyStopping.ShouldStop(1, bad));
        Assert.False(EarlyStopping.ShouldStop(0, 100));
        best = double.NaN; bad = 0;
        Assert.True(EarlyStopping.Update(false, 2.0, ref best, ref bad));
        Assert.True(EarlyStopping.Update(false, 1.5, ref best, ref bad));
        Assert.False(EarlyStopping.Update(false, double.NaN, ref best, ref bad));
    }

    [Fact]
    public void NonFiniteLossStopsWithoutOverwritingTheCheckpoint()
    {
        using var run = new TinyRun();
        var cfg = run.Config with { ClassWeights = [double.NaN, 1, 1], NumEpochs = 1 };
        var result = new Trainer(cfg).Run();
        Assert.Equal(StopReason.NonFiniteLoss, result.Reason);
        Assert.Contains("Lower the learning rate", result.Message);
        Assert.False(File.Exists(result.LastCheckpoint));
    }

    [Fact]
    public void CorruptOrForeignCheckpointsAreRejectedClearly()
    {
        using var run = new TinyRun();
        var result = new Trainer(run.Config with { NumEpochs = 1 }).Run();
        var bytes = File.ReadAllBytes(result.FinalModel);

        var truncated = Path.Combine(run.Root, "truncated.safetensors");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        Assert.ThrowsAny<InvalidDataException>(() => Checkpoint.LoadModel(truncated));

        var garbage = Path.Combine(run.Root, "garbage.safetensors");
        File.WriteAllBytes(garbage, Enumerable.Range(0, 4096).Select(i => (byte)(i * 37)).ToArray());
        Assert.ThrowsAny<InvalidDataException>(() => Checkpoint.LoadModel(garbage));

        var missing = Path.Combine(run.Root, "nope.safetensors");
        var e = Assert.Throws<FileNotFoundException>(() => Checkpoint.LoadModel(missing));
        Assert.Contains("does not exist", e.Message);

        // Weights only: a model file cannot be resumed from.
        var r = Assert.Throws<InvalidDataException>(() => new Trainer(run.Config with { OutputDir = Path.Combine(run.Root, "again") }).Run(resume: result.FinalModel));
        Assert.Contains("weights only", r.Message);
    }

    [Fact]
    public void ConfigFileLoadsAndRejectsUnknownKeysAndBadValues()
    {
        using var run = new TinyRun(perClass: 1);
        var path = Path.Combine(run.Root, "cfg.json");
        File.WriteAllText(path, """{ "batch_size": 16, "learning_rate": 0.01, "backbone": "vit", "variant": "micro" }""");
        var c = TrainingConfig.Load(path);
        Assert.Equal(16, c.BatchSize);
        Assert.Equal(0.01, c.LearningRate);
        Assert.Equal("vit", c.Backbone);
        Assert.Equal(10, c.NumEpochs); // untouched default

        File.WriteAllText(path, """{ "batch_sise": 16 }""");
        var e = Assert.Throws<InvalidDataException>(() => TrainingConfig.Load(path));
        Assert.Contains("batch_sise", e.Message);

        var bad = new TrainingConfig { BatchSize = 0, Optimizer = "lbfgs" };
        var v = Assert.Throws<ArgumentException>(bad.Validate);
        Assert.Contains("batch_size", v.Message);
        Assert.Contains("lbfgs", v.Message);
    }
}
