using System.Text.Json;
using Lfm2Vl.Engine;
using Lfm2Vl.Nn.Modules;
using Lfm2Vl.Nn.Optim;
using Lfm2Vl.Nn.Schedules;
using Lfm2Vl.Tests.Shared;
using Xunit;

namespace Lfm2Vl.Nn.Tests;

/// <summary>Compares every schedule with PyTorch's lrs step by step (tests/pytorch/gen_schedule_fixtures.py).</summary>
public class ScheduleFixtureTests
{
    public static TheoryData<string> Cases() => new(TorchFixture.Names("schedules"));

    [Fact]
    public void EverySchedulePresent()
    {
        var kinds = TorchFixture.Names("schedules").Select(n => TorchFixture.Load("schedules", n).Meta.GetProperty("schedule").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "step", "multistep", "cosine", "warmup_cosine", "warmup_step", "onecycle", "plateau" }, kinds);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void LrsMatchPyTorch(string name)
    {
        var fx = TorchFixture.Load("schedules", name);
        var meta = fx.Meta;
        var baseLrs = meta.GetProperty("base_lrs").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var opt = MakeOptimizer(baseLrs);
        var expected = fx["lr"].Data;
        int groups = baseLrs.Length, steps = meta.GetProperty("steps").GetInt32();
        var metrics = fx.Has("metrics") ? fx["metrics"].Data : null;
        var (step, _) = Build(meta, opt, metrics);

        for (int t = 0; t <= steps; t++)
        {
            if (t > 0) step(t - 1);
            var actual = opt.ParamGroups.Select(g => g.Lr).ToArray();
            TestUtil.AssertClose(expected[(t * groups)..((t + 1) * groups)], actual, 1e-12, $"{name} lr at step {t}");
        }
    }

    internal static Sgd MakeOptimizer(double[] baseLrs)
        => new(baseLrs.Select(lr => new ParamGroup([new Parameter(Tensor.Zeros([2]))], lr)).ToList(), lr: baseLrs[0]);

    /// <summary>The schedule the meta describes, as a step action (taking the step index for metric-driven ones).</summary>
    internal static (Action<int> Step, IStatefulSchedule Schedule) Build(JsonElement meta, Optimizer opt, double[]? metrics)
    {
        double D(string k) => meta.GetProperty(k).GetDouble();
        int I(string k) => meta.GetProperty(k).GetInt32();
        double[] A(string k) => meta.GetProperty(k).EnumerateArray().Select(e => e.GetDouble()).ToArray();
        LrScheduler? s = meta.GetProperty("schedule").GetString() switch
        {
            "step" => new StepLR(opt, I("step_size"), D("gamma")),
            "multistep" => new MultiStepLR(opt, A("milestones").Select(m => (int)m), D("gamma")),
            "cosine" => new CosineAnnealingLR(opt, I("t_max"), D("eta_min")),
            "warmup_cosine" => new LinearWarmup(opt, I("warmup"), D("start_factor"), new CosineAnnealingLR(opt, I("t_max"), D("eta_min"))),
            "warmup_step" => new LinearWarmup(opt, I("warmup"), D("start_factor"), new StepLR(opt, I("step_size"), D("gamma"))),
            "onecycle" => new OneCycleLR(opt, A("max_lr"), I("total_steps"), D("pct_start"),
                meta.GetProperty("anneal").GetString() == "linear" ? AnnealStrategy.Linear : AnnealStrategy.Cos,
                D("div_factor"), D("final_div_factor"), meta.GetProperty("three_phase").GetBoolean()),
            _ => null,
        };
        if (s is not null) return (_ => s.Step(), s);
        var p = new ReduceLROnPlateau(opt, A("min_lr"),
            meta.GetProperty("mode").GetString() == "max" ? PlateauMode.Max : PlateauMode.Min,
            D("factor"), I("patience"), D("threshold"),
            meta.GetProperty("threshold_mode").GetString() == "abs" ? ThresholdMode.Abs : ThresholdMode.Rel,
            I("cooldown"));
        return (t => p.Step(metrics![t]), p);
    }
}
