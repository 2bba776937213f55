using System.Text.Json;
using Lfm2Vl.Engine;
using Lfm2Vl.Nn.Modules;
using Lfm2Vl.Nn.Optim;
using Lfm2Vl.Tests.Shared;
using Xunit;

namespace Lfm2Vl.Nn.Tests;

/// <summary>Replays the PyTorch trajectories of tests/pytorch/gen_optim_fixtures.py step by step.</summary>
public class OptimizerFixtureTests
{
    public static TheoryData<string> Cases() => new(TorchFixture.Names("optim"));

    [Fact]
    public void AllFixturesArePresent() => Assert.True(TorchFixture.Names("optim").Count() >= 10);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float64TrajectoryMatchesPyTorch(string name) => Replay(name, DType.Float64, 1e-10);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float32TrajectoryMatchesPyTorch(string name) => Replay(name, DType.Float32, 2e-5);

    private static void Replay(string name, DType dtype, double tol)
    {
        var fx = TorchFixture.Load("optim", name);
        var x = fx["x"].ToTensor(dtype);
        var y = fx["y"].ToTensor(dtype);
        var w = new Parameter(fx["w0"].ToTensor(dtype));
        var b = new Parameter(fx["b0"].ToTensor(dtype));
        var opt = Build(fx.Meta, w, b);
        var wTraj = fx["w_traj"].Data;
        var bTraj = fx["b_traj"].Data;
        int steps = fx["loss"].Data.Length, nw = w.Numel, nb = b.Numel;
        for (int s = 0; s < steps; s++)
        {
            opt.ZeroGrad();
            using (TensorScope.Begin())
            {
                var loss = TestUtil.Mse((Tensor.MatMul(x, w.Data.T) + b.Data).Tanh(), y);
                TestUtil.AssertClose([fx["loss"].Data[s]], [loss.Item()], tol, $"{name} loss at step {s}");
                loss.Backward();
                opt.Step();
            }
            TestUtil.AssertClose(wTraj[(s * nw)..((s + 1) * nw)], w.Data.ToDoubleArray(), tol, $"{name} w after step {s + 1}");
            TestUtil.AssertClose(bTraj[(s * nb)..((s + 1) * nb)], b.Data.ToDoubleArray(), tol, $"{name} b after step {s + 1}");
        }
    }

    /// <summary>Builds the optimizer the fixture's meta describes (same keys as torch's constructor).</summary>
    internal static Optimizer Build(JsonElement meta, Parameter w, Parameter b)
    {
        double Num(JsonElement e, string key, double dflt) => e.TryGetProperty(key, out var v) ? v.GetDouble() : dflt;
        bool Flag(string key) => meta.TryGetProperty(key, out var v) && v.GetBoolean();
        var byName = new Dictionary<string, Parameter> { ["w"] = w, ["b"] = b };

        IEnumerable<ParamGroup> groups = meta.TryGetProperty("groups", out var gs)
            ? gs.EnumerateArray().Select(g => new ParamGroup(
                g.GetProperty("params").EnumerateArray().Select(n => byName[n.GetString()!]),
                g.TryGetProperty("lr", out var lr) ? lr.GetDouble() : null,
                g.TryGetProperty("weight_decay", out var wd) ? wd.GetDouble() : null)).ToList()
            : [new ParamGroup([w, b])];

        double beta1 = 0.9, beta2 = 0.999;
        if (meta.TryGetProperty("betas", out var betas)) { beta1 = betas[0].GetDouble(); beta2 = betas[1].GetDouble(); }
        return meta.GetProperty("optimizer").GetString() switch
        {
            "sgd" => new Sgd(groups, Num(meta, "lr", 0), Num(meta, "momentum", 0), Num(meta, "dampening", 0), Flag("nesterov"), Num(meta, "weight_decay", 0)),
            "adam" => new Adam(groups, Num(meta, "lr", 1e-3), beta1, beta2, Num(meta, "eps", 1e-8), Num(meta, "weight_decay", 0), Flag("amsgrad")),
            "adamw" => new AdamW(groups, Num(meta, "lr", 1e-3), beta1, beta2, Num(meta, "eps", 1e-8), Num(meta, "weight_decay", 0.01), Flag("amsgrad")),
            var other => throw new InvalidOperationException($"Unknown optimizer '{other}' in fixture."),
        };
    }
}
