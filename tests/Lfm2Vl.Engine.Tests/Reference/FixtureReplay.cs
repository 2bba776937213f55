using Lfm2Vl.Tests.Shared;
using Xunit;

namespace Lfm2Vl.Engine.Tests.Reference;

/// <summary>
/// Replays one fixture in the engine in a given dtype: runs meta.op on the fixture's inputs, then compares the
/// forward outputs, the inputs the op updates in place (updated_&lt;input&gt;), and the gradient of every input
/// torch differentiated for the fixture's upstream gradients. All mismatches are reported together.
/// </summary>
public static class FixtureReplay
{
    public static void Run(string group, string caseName, DType dtype, IReadOnlyDictionary<string, FixtureOp> ops,
        Tolerance tol, IReadOnlySet<string>? integerOutputOps = null)
    {
        var fx = TorchFixture.Load(group, caseName);
        string op = fx.Meta.GetProperty("op").GetString()!;
        var inputNames = fx.Meta.GetProperty("inputs").EnumerateArray().Select(e => e.GetString()!).ToArray();
        int outputCount = fx.Meta.GetProperty("outputs").GetInt32();
        var args = new FixtureArgs(fx.Meta.GetProperty("args"), caseName);
        Assert.True(ops.TryGetValue(op, out var run), $"{caseName}: no engine mapping for op '{op}'.");

        var failures = new List<string>();
        using var scope = TensorScope.Begin();
        var inputs = inputNames.Select(n => Load(fx[n], dtype, requireGrad: fx.Has("grad_" + n))).ToArray();
        var outs = run(new FixtureInputs(inputNames, inputs), args, dtype);
        Assert.True(outs.Length == outputCount, $"{op} ({caseName}): {outs.Length} outputs, expected {outputCount}.");
        var outDType = integerOutputOps?.Contains(op) == true ? DType.Int32 : dtype;
        for (int i = 0; i < outs.Length; i++)
        {
            if (outs[i].DType != outDType) failures.Add($"out{i}: dtype {outs[i].DType.Name()}, expected {outDType.Name()}.");
            failures.Add(ReferenceComparison.Compare($"out{i}", fx[$"out{i}"], outs[i], tol) ?? "");
        }
        for (int j = 0; j < inputNames.Length; j++)
            if (fx.Has("updated_" + inputNames[j]))
                failures.Add(ReferenceComparison.Compare("updated_" + inputNames[j], fx["updated_" + inputNames[j]], inputs[j], tol) ?? "");

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
