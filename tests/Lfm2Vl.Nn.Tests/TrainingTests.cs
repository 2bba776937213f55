using Lfm2Vl.Engine;
using Lfm2Vl.Nn.Modules;
using Lfm2Vl.Nn.Optim;
using Lfm2Vl.Nn.Schedules;
using Lfm2Vl.Nn.Serialization;
using Xunit;

namespace Lfm2Vl.Nn.Tests;

/// <summary>End-to-end behaviour: resume, freezing, accumulation, overfitting a tiny batch.</summary>
public class TrainingTests
{
    private static (Tensor X, Tensor Labels) Batch(int n = 12)
    {
        var g = new Generator(42);
        var x = Tensor.Randn([n, 4], g);
        var labels = Tensor.FromArray(Enumerable.Range(0, n).Select(i => i % 3).ToArray(), n);
        return (x, labels);
    }

    private sealed class Run
    {
        public Run(ulong seed)
        {
            Model = new Mlp(4, [16], 3, () => new GELU(), dropout: 0.2, generator: new Generator(seed));
            Optimizer = new AdamW(ParamGroups.DecayAndNoDecay(Model, 0.05), lr: 0.02);
            Schedule = new LinearWarmup(Optimizer, 3, 0.1, new CosineAnnealingLR(Optimizer, 10, 1e-4));
        }

        public Mlp Model { get; }
        public AdamW Optimizer { get; }
        public LinearWarmup Schedule { get; }
        public Dropout[] Dropouts => Model.NamedModules().Select(m => m.Module).OfType<Dropout>().ToArray();

        public double Step(Tensor x, Tensor labels)
        {
            Optimizer.ZeroGrad();
            double loss;
            using (TensorScope.Begin())
            {
                var l = TestUtil.CrossEntropy(Model.Forward(x), labels);
                loss = l.Item();
                l.Backward();
                Optimizer.Step();
            }
            Schedule.Step();
            return loss;
        }

        public void SaveCheckpoint(string path)
        {
            using var state = new TrainingState();
            state.AddCopies("model.", Model.StateDict());
            using (var opt = Optimizer.GetState()) state.Absorb("optim.", opt);
            state.AddScalars("sched.", Schedule.GetState());
            for (int i = 0; i < Dropouts.Length; i++) state.AddGenerator($"dropout.{i}", Dropouts[i].Generator);
            state.Save(path);
        }

        public void LoadCheckpoint(string path)
        {
            using var state = TrainingState.Load(path);
            using (var model = state.Extract("model.")) Model.LoadStateDict(model.Tensors);
            using (var opt = state.Extract("optim.")) Optimizer.SetState(opt);
            Schedule.SetState(state.ScalarsUnder("sched."));
            for (int i = 0; i < Dropouts.Length; i++) state.RestoreGenerator($"dropout.{i}", Dropouts[i].Generator);
        }
    }

    [Fact]
    public void ResumeFromACheckpointEqualsAnUninterruptedRun()
    {
        var (x, labels) = Batch();
        var full = new Run(1);
        var fullLosses = Enumerable.Range(0, 12).Select(_ => full.Step(x, labels)).ToArray();

        var first = new Run(1);
        for (int i = 0; i < 5; i++) Assert.Equal(fullLosses[i], first.Step(x, labels));
        var path = TestUtil.TempPath();
        first.SaveCheckpoint(path);

        var resumed = new Run(7); // different initial weights, all overwritten by the checkpoint
        resumed.LoadCheckpoint(path);
        Assert.Equal(first.Optimizer.ParamGroups.Select(g => g.Lr), resumed.Optimizer.ParamGroups.Select(g => g.Lr));
        for (int i = 5; i < 12; i++) Assert.Equal(fullLosses[i], resumed.Step(x, labels));
        Assert.Equal(TestUtil.Snapshot(full.Model), TestUtil.Snapshot(resumed.Model));
        Assert.Equal(full.Optimizer.ParamGroups.Select(g => g.Lr), resumed.Optimizer.ParamGroups.Select(g => g.Lr));
        File.Delete(path);
    }

    [Fact]
    public void OptimizerStateRoundTripsAndRejectsAnotherStructure()
    {
        var (x, labels) = Batch();
        var run = new Run(1);
        for (int i = 0; i < 3; i++) run.Step(x, labels);
        using var state = run.Optimizer.GetState();
        Assert.Equal(3, state.Scalar("step_count"));
        Assert.Equal(3, state.Scalar("param.0.step"));
        Assert.Equal([16, 4], state.Tensor("param.0.exp_avg").Shape);

        var other = new Run(1);
        other.Optimizer.SetState(state);
        var p0 = run.Optimizer.AllParameters().First();
        var q0 = other.Optimizer.AllParameters().First();
        Assert.Equal(run.Optimizer.StateOf(p0)!.Buffers["exp_avg_sq"].ToDoubleArray(), other.Optimizer.StateOf(q0)!.Buffers["exp_avg_sq"].ToDoubleArray());
        // A snapshot is a copy: stepping the source does not change it.
        var before = state.Tensor("param.0.exp_avg").ToDoubleArray();
        run.Step(x, labels);
        Assert.Equal(before, state.Tensor("param.0.exp_avg").ToDoubleArray());

        var single = new AdamW(new Mlp(4, [16], 3, generator: new Generator(1)).Parameters());
        Assert.Contains("has 2 parameter groups; this one has 1", Assert.Throws<ArgumentException>(() => single.SetState(state)).Message);
        var sgd = new Sgd(ParamGroups.DecayAndNoDecay(new Mlp(4, [16], 3, generator: new Generator(1)), 0), lr: 0.1, momentum: 0.9);
        Assert.Contains("not a Sgd buffer", Assert.Throws<ArgumentException>(() => sgd.SetState(state)).Message);
    }

    [Fact]
    public void FrozenParametersStayBitIdenticalEvenWithWeightDecayAndMomentum()
    {
        var (x, labels) = Batch();
        var model = new Mlp(4, [8], 3, generator: new Generator(3));
        var first = (Linear)model[0];
        first.Freeze();
        var lastBias = model.GetParameter("2.bias");
        lastBias.Freeze();
        var frozenBefore = new[] { first.Weight.Data.ToArray<float>(), first.Bias!.Data.ToArray<float>(), lastBias.Data.ToArray<float>() };
        var trainableBefore = model.GetParameter("2.weight").Data.ToArray<float>();
        var adamw = new AdamW(model.Parameters(), lr: 0.05, weightDecay: 0.5);

        void Steps(Optimizer opt, int n)
        {
            for (int i = 0; i < n; i++)
            {
                opt.ZeroGrad();
                using (TensorScope.Begin()) { TestUtil.CrossEntropy(model.Forward(x), labels).Backward(); opt.Step(); }
            }
        }

        Steps(adamw, 4);
        Assert.Equal(frozenBefore[0], first.Weight.Data.ToArray<float>());
        Assert.Equal(frozenBefore[1], first.Bias.Data.ToArray<float>());
        Assert.Equal(frozenBefore[2], lastBias.Data.ToArray<float>());
        Assert.NotEqual(trainableBefore, model.GetParameter("2.weight").Data.ToArray<float>());

        // Freezing after momentum has built up also stops the parameter dead.
        var model2Weight = model.GetParameter("2.weight");
        first.Unfreeze();
        var sgd = new Sgd(model.Parameters(), lr: 0.1, momentum: 0.9, weightDecay: 0.1);
        Steps(sgd, 2);
        model2Weight.Freeze();
        var held = model2Weight.Data.ToArray<float>();
        var firstHeld = first.Weight.Data.ToArray<float>();
        Steps(sgd, 3);
        Assert.Equal(held, model2Weight.Data.ToArray<float>());
        Assert.NotEqual(firstHeld, first.Weight.Data.ToArray<float>());
    }

    [Fact]
    public void AccumulatingTwoMicroBatchesEqualsTheFullBatchGradient()
    {
        var g = new Generator(5);
        var x = Tensor.Randn([8, 4], g, dtype: DType.Float64);
        var y = Tensor.Randn([8, 3], g, dtype: DType.Float64);
        var lin = new Linear(4, 3, generator: new Generator(6), dtype: DType.Float64);
        var model = new Sequential(lin, new Tanh());

        using (TensorScope.Begin()) TestUtil.Mse(model.Forward(x), y).Backward();
        var fullW = lin.Weight.Grad!.ToDoubleArray();
        var fullB = lin.Bias!.Grad!.ToDoubleArray();

        var opt = new Sgd(model.Parameters(), lr: 0.1);
        opt.ZeroGrad();
        var acc = new GradientAccumulator(2);
        var stepped = new List<bool>();
        foreach (var (xs, ys) in x.Split(4).Zip(y.Split(4)))
        {
            using (TensorScope.Begin()) (TestUtil.Mse(model.Forward(xs), ys) * acc.LossScale).Backward();
            stepped.Add(acc.Advance());
        }
        Assert.Equal([false, true], stepped);
        TestUtil.AssertClose(fullW, lin.Weight.Grad!.ToDoubleArray(), 1e-14, "accumulated weight grad");
        TestUtil.AssertClose(fullB, lin.Bias.Grad!.ToDoubleArray(), 1e-14, "accumulated bias grad");
    }

    [Fact]
    public void SmallMlpWithDropoutOverfitsATinyBatch()
    {
        var (x, labels) = Batch(9);
        var model = new Mlp(4, [32, 32], 3, dropout: 0.1, generator: new Generator(8));
        var opt = new AdamW(ParamGroups.DecayAndNoDecay(model, 1e-4), lr: 0.01);
        double first = 0, last = 0;
        for (int step = 0; step < 250; step++)
        {
            opt.ZeroGrad();
            using var scope = TensorScope.Begin();
            var loss = TestUtil.CrossEntropy(model.Forward(x), labels);
            if (step == 0) first = loss.Item();
            loss.Backward();
            GradClip.ClipGradNorm(model.Parameters(), 5.0);
            opt.Step();
        }
        model.Eval();
        using (TensorScope.Begin())
        using (GradMode.NoGrad())
        {
            var logits = model.Forward(x);
            last = TestUtil.CrossEntropy(logits, labels).Item();
            Assert.Equal(labels.ToArray<int>(), logits.ArgMax(1).ToArray<int>());
        }
        Assert.InRange(first, 0.8, 1.6); // about ln 3 at the start
        Assert.True(last < 0.02, $"loss went from {first} to {last}");
    }

    [Fact]
    public void DefaultGroupsExcludeBiasesFromDecay()
    {
        var model = new Mlp(4, [8], 3, generator: new Generator(1));
        var groups = ParamGroups.DecayAndNoDecay(model, 0.1);
        var opt = new AdamW(groups, lr: 1e-3);
        Assert.Equal(2, groups[0].Parameters.Count);
        Assert.All(groups[0].Parameters, p => Assert.Equal(2, p.Rank));
        Assert.All(groups[1].Parameters, p => Assert.Equal(1, p.Rank));
        Assert.Equal(0.1, opt.ParamGroups[0].WeightDecay);
        Assert.Equal(0.0, opt.ParamGroups[1].WeightDecay);
        Assert.Throws<ArgumentException>(() => new Sgd(groups, lr: 0.1)); // a group belongs to one optimizer
        var p = model.Parameters().First();
        Assert.Throws<ArgumentException>(() => new Sgd([new ParamGroup([p]), new ParamGroup([p])], lr: 0.1));
    }
}
