namespace Lfm2Vl.Backends.Tests;

/// <summary>
/// Runs one op sequence on the CPU backend and on a target device from the same inputs and upstream
/// gradient, then compares outputs and input gradients element by element: |a - b| &lt;= atol + rtol |b|.
/// </summary>
public static class Compare
{
    /// <summary>Tolerances: float32 results are compared loosely (different summation orders), float64 tightly.</summary>
    public static (double Atol, double Rtol) Tolerance(DType dtype) => dtype == DType.Float64 ? (1e-10, 1e-9) : (2e-4, 2e-4);

    /// <summary>An input: data made on the CPU from a seed, moved to the device, optionally requiring grad.</summary>
    public sealed record Input(Func<Tensor> Make, bool Grad = true);

    public static Input Randn(int seed, params int[] shape) => new(() => Tensor.Randn(shape, new Generator((ulong)seed)));
    public static Input Positive(int seed, params int[] shape) => new(() => Tensor.Rand(shape, new Generator((ulong)seed), 0.2, 2.0));
    public static Input Const(Tensor value) => new(() => value, Grad: false);

    /// <summary>Checks forward values and the gradients of every input that requires grad.</summary>
    public static void Check(string what, Device device, Input[] inputs, Func<Tensor[], Tensor> op, DType dtype = DType.Float32, double scale = 1)
    {
        var reference = Run(Device.Cpu, inputs, op, dtype);
        var actual = Run(device, inputs, op, dtype);
        var (atol, rtol) = Tolerance(dtype);
        Assert.Equal(reference.Count, actual.Count);
        for (int i = 0; i < reference.Count; i++)
            Close($"{what} [{reference[i].Name}]", reference[i].Values, actual[i].Values, atol * scale, rtol * scale);
    }

    public static void Close(string what, double[] expected, double[] actual, double atol, double rtol)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, expected {expected.Length}.");
        for (int j = 0; j < expected.Length; j++)
        {
            double e = expected[j], a = actual[j];
            if (double.IsNaN(e) && double.IsNaN(a)) continue;
            if (double.IsInfinity(e) && e == a) continue;
            Assert.True(Math.Abs(a - e) <= atol + rtol * Math.Abs(e),
                $"{what}: element {j} is {a}, expected {e} (|diff| {Math.Abs(a - e):E2} > {atol:E1} + {rtol:E1}*|e|).");
        }
    }

    private static List<(string Name, double[] Values)> Run(Device device, Input[] inputs, Func<Tensor[], Tensor> op, DType dtype)
    {
        using var scope = TensorScope.Begin();
        var leaves = new Tensor[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            var host = inputs[i].Make();
            if (host.DType.IsFloating() && host.DType != dtype) host = host.To(dtype);
            leaves[i] = host.To(device);
            if (inputs[i].Grad && host.DType.IsFloating()) leaves[i].RequireGrad();
        }
        var y = op(leaves);
        var results = new List<(string, double[])> { ("output", y.To(Device.Cpu).ToDoubleArray()) };
        if (y.RequiresGrad)
        {
            // A fixed, non-uniform upstream gradient exercises every path of the backward.
            using var g0 = Tensor.Randn(y.Shape, new Generator(977), dtype: y.DType);
            var g = g0.To(device);
            y.Backward(g);
            for (int i = 0; i < leaves.Length; i++)
                if (leaves[i].RequiresGrad)
                {
                    Assert.True(leaves[i].Grad is not null, $"input {i} got no gradient");
                    results.Add(($"grad {i}", leaves[i].Grad!.To(Device.Cpu).ToDoubleArray()));
                }
        }
        foreach (var l in leaves) l.ZeroGrad();
        return results;
    }
}
