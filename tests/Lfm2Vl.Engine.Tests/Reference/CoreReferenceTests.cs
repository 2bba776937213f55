using Lfm2Vl.Tests.Shared;
using Xunit;

namespace Lfm2Vl.Engine.Tests.Reference;

/// <summary>
/// Differential tests against PyTorch: every core-op fixture is replayed in the engine, in float64 and in
/// float32, comparing forward outputs and the gradients of all float inputs for the fixture's upstream gradient.
/// </summary>
public class CoreReferenceTests
{
    [Theory]
    [MemberData(nameof(CoreCases.Names), MemberType = typeof(CoreCases))]
    public void Float64MatchesTorch(string caseName) => Replay(caseName, DType.Float64);

    [Theory]
    [MemberData(nameof(CoreCases.Names), MemberType = typeof(CoreCases))]
    public void Float32MatchesTorch(string caseName) => Replay(caseName, DType.Float32);

    [Fact]
    public void FixtureFolderHoldsExactlyTheExpectedCases()
    {
        Assert.Equal(CoreCases.All.Count, CoreCases.All.Distinct().Count());
        var present = TorchFixture.Names(CoreCases.Group).ToHashSet();
        var missing = CoreCases.All.Where(n => !present.Contains(n)).ToList();
        var unexpected = present.Where(n => !CoreCases.All.Contains(n)).Order().ToList();
        Assert.True(missing.Count == 0,
            $"Missing core fixtures ({missing.Count}): {string.Join(", ", missing)}. Regenerate: /usr/bin/python3 tests/pytorch/gen_core_fixtures.py");
        Assert.True(unexpected.Count == 0,
            $"Fixtures no test expects (add them to CoreCases.All): {string.Join(", ", unexpected)}.");
    }

    private static void Replay(string caseName, DType dtype)
    {
        var fx = TorchFixture.Load(CoreCases.Group, caseName);
        string op = fx.Meta.GetProperty("op").GetString()!;
        var inputNames = fx.Meta.GetProperty("inputs").EnumerateArray().Select(e => e.GetString()!).ToArray();
        int outputCount = fx.Meta.GetProperty("outputs").GetInt32();
        var args = new FixtureArgs(fx.Meta.GetProperty("args"), caseName);
        Assert.True(CoreOps.ByName.TryGetValue(op, out var run), $"{caseName}: no engine mapping for op '{op}' in CoreOps.");

        var tol = Tolerance.For(dtype);
        var failures = new List<string>();
        using var scope = TensorScope.Begin();
        var inputs = inputNames.Select(n => Load(fx[n], dtype, requireGrad: fx.Has("grad_" + n))).ToArray();
        var outs = run(inputs, args, dtype);
        Assert.True(outs.Length == outputCount, $"{op} ({caseName}): {outs.Length} outputs, expected {outputCount}.");
        var outDType = CoreOps.IntegerOutput.Contains(op) ? DType.Int32 : dtype;
        for (int i = 0; i < outs.Length; i++)
        {
            if (outs[i].DType != outDType) failures.Add($"out{i}: dtype {outs[i].DType.Name()}, expected {outDType.Name()}.");
            failures.Add(ReferenceComparison.Compare($"out{i}", fx[$"out{i}"], outs[i], tol) ?? "");
        }

        // Upstream gradients for every differentiable output; leaf gradients accumulate across the calls.
        var withGrad = Enumerable.Range(0, outs.Length).Where(i => fx.Has($"gout{i}")).ToArray();
        foreach (var i in withGrad)
        {
            if (!outs[i].RequiresGrad) { failures.Add($"out{i} does not require grad, but torch gives it a gradient."); continue; }
            outs[i].Backward(Load(fx[$"gout{i}"], dtype, requireGrad: false), retainGraph: i != withGrad[^1]);
        }
        for (int j = 0; j < inputNames.Length; j++)
            if (fx.Has("grad_" + inputNames[j]))
                failures.Add(ReferenceComparison.Compare("grad_" + inputNames[j], fx["grad_" + inputNames[j]], inputs[j].Grad, tol) ?? "");

        failures.RemoveAll(string.IsNullOrEmpty);
        Assert.True(failures.Count == 0,
            $"{op} ({caseName}, {dtype.Name()}, tolerance abs {tol.Abs:G2} + rel {tol.Rel:G2}):\n  " + string.Join("\n  ", failures));
    }

    private static Tensor Load(TorchFixture.FixtureTensor t, DType dtype, bool requireGrad)
    {
        var x = t.DType == "int32"
            ? Tensor.FromArray(t.Data.Select(v => (int)v).ToArray(), t.Shape)
            : Tensor.FromDoubles(t.Data, t.Shape, dtype);
        return requireGrad ? x.RequireGrad() : x;
    }
}
