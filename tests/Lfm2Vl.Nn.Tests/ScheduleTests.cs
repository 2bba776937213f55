using Lfm2Vl.Nn.Optim;
using Lfm2Vl.Nn.Schedules;
using Lfm2Vl.Nn.Serialization;
using Xunit;

namespace Lfm2Vl.Nn.Tests;

public class ScheduleTests
{
    private static Sgd Opt() => ScheduleFixtureTests.MakeOptimizer([0.1, 0.02]);

    public static TheoryData<string> Kinds() => ["step", "multistep", "cosine", "warmup", "warmup_cosine", "onecycle"];

    private static LrScheduler Make(string kind, Optimizer o) => kind switch
    {
        "step" => new StepLR(o, 3, 0.5),
        "multistep" => new MultiStepLR(o, [2, 4], 0.5),
        "cosine" => new CosineAnnealingLR(o, 10, 0.001),
        "warmup" => new LinearWarmup(o, 5),
        "warmup_cosine" => new LinearWarmup(o, 3, 0.2, new CosineAnnealingLR(o, 10)),
        _ => new OneCycleLR(o, 0.5, 20),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ResumedScheduleContinuesIdentically(string kind)
    {
        var a = Opt();
        var sa = Make(kind, a);
        var lrs = new List<double[]>();
        for (int i = 0; i < 12; i++) { sa.Step(); lrs.Add(a.ParamGroups.Select(g => g.Lr).ToArray()); }

        var b = Opt();
        var sb = Make(kind, b);
        for (int i = 0; i < 6; i++) sb.Step();
        var state = sb.GetState();

        var c = Opt();
        var sc = Make(kind, c);
        sc.SetState(state);
        Assert.Equal(lrs[5], c.ParamGroups.Select(g => g.Lr).ToArray());
        for (int i = 6; i < 12; i++)
        {
            sc.Step();
            Assert.Equal(lrs[i], c.ParamGroups.Select(g => g.Lr).ToArray());
        }
    }

    [Fact]
    public void PlateauStateSurvivesAFileRoundTrip()
    {
        var metrics = new[] { 1.0, 0.9, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8, 0.8, 0.8 };
        var a = Opt();
        var pa = new ReduceLROnPlateau(a, factor: 0.5, patience: 1, cooldown: 1);
        foreach (var m in metrics) pa.Step(m);

        var b = Opt();
        var pb = new ReduceLROnPlateau(b, factor: 0.5, patience: 1, cooldown: 1);
        Assert.True(double.IsPositiveInfinity(pb.GetState()["best"]));
        foreach (var m in metrics[..4]) pb.Step(m);
        var path = TestUtil.TempPath();
        using (var s = new TrainingState()) { s.AddScalars("plateau.", pb.GetState()); s.Save(path); }

        var c = Opt();
        var pc = new ReduceLROnPlateau(c, factor: 0.5, patience: 1, cooldown: 1);
        using (var s = TrainingState.Load(path)) pc.SetState(s.ScalarsUnder("plateau."));
        foreach (var m in metrics[4..]) pc.Step(m);
        Assert.Equal(pa.GetState(), pc.GetState());
        Assert.True(a.ParamGroups[0].Lr < 0.1);
        File.Delete(path);
    }

    [Fact]
    public void WarmupAloneRampsToTheBaseAndStays()
    {
        var o = Opt();
        var w = new LinearWarmup(o, 4, 0.2);
        Assert.Equal(0.02, o.ParamGroups[0].Lr, 15);
        var seen = new List<double>();
        for (int i = 0; i < 6; i++) { w.Step(); seen.Add(o.ParamGroups[0].Lr); }
        TestUtil.AssertClose([0.04, 0.06, 0.08, 0.1, 0.1, 0.1], [.. seen], 1e-15, "warmup");
        Assert.Equal(0.004, w.LrAt(1, 0), 15);
    }

    [Fact]
    public void WarmupThenPlateauHandsOverAtTheBaseLr()
    {
        var o = Opt();
        var warm = new LinearWarmup(o, 3, 0.5);
        var plateau = new ReduceLROnPlateau(o, factor: 0.5, patience: 0);
        var lrs = new List<double>();
        double[] losses = [1.0, 0.9, 0.8, 0.7, 0.7, 0.6, 0.6];
        for (int t = 0; t < losses.Length; t++)
        {
            if (t < warm.WarmupSteps) warm.Step(); else plateau.Step(losses[t]);
            lrs.Add(o.ParamGroups[0].Lr);
        }
        TestUtil.AssertClose([0.1 * (0.5 + 0.5 / 3), 0.1 * (0.5 + 1.0 / 3), 0.1, 0.1, 0.05, 0.05, 0.025], [.. lrs], 1e-15, "lr");
    }

    [Fact]
    public void OneCycleRefusesToRunPastItsEnd()
    {
        var o = Opt();
        var s = new OneCycleLR(o, 0.5, 4);
        Assert.Equal(0.02, o.ParamGroups[0].Lr, 15); // max / 25
        for (int i = 0; i < 4; i++) s.Step();
        Assert.Throws<InvalidOperationException>(s.Step);
    }

    [Fact]
    public void SchedulesScaleTheOptimizersInitialLr()
    {
        var o = Opt();
        o.ParamGroups[0].Lr = 123; // changed by hand: the schedule still scales the initial lr
        var s = new StepLR(o, 1, 0.5);
        s.Step();
        Assert.Equal(0.05, o.ParamGroups[0].Lr, 15);
        Assert.Equal(0.01, o.ParamGroups[1].Lr, 15);
    }
}
