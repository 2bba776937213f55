using Lfm2Vl.Engine;

namespace Lfm2Vl.Tests.Shared;

/// <summary>Settings of a gradient check; the defaults suit float64 ops whose values and gradients are O(1..100).</summary>
public sealed record GradCheckOptions
{
    /// <summary>Finite-difference step. With central differences the truncation error is h^2/6 * |f'''| (about
    /// 2e-13 for O(1) third derivatives) and the rounding error is about eps * |y| / h (2e-10 * |y|), so h = 1e-6
    /// keeps both far below the tolerance.</summary>
    public double Step { get; init; } = 1e-6;

    /// <summary>Absolute tolerance. The numeric gradient is accurate to roughly 1e-9 for outputs up to ~10 in
    /// magnitude (rounding above dominates); 1e-6 leaves a wide margin while any real backward error (a wrong
    /// factor, a missing term, a mis-routed broadcast) is O(|gradient|), i.e. orders of magnitude larger.</summary>
    public double AbsTol { get; init; } = 1e-6;

    /// <summary>Relative tolerance (to the larger of the two values): covers large gradients, whose
    /// finite-difference rounding error grows with the magnitude of the outputs they come from.</summary>
    public double RelTol { get; init; } = 1e-5;

    /// <summary>Seed of the random upstream weights w in sum(f(x) * w).</summary>
    public ulong Seed { get; init; } = 0x5EED;

    /// <summary>Which inputs to differentiate (null: every floating-point input).</summary>
    public bool[]? Wrt { get; init; }

    /// <summary>At most this many mismatches are listed in a failure message.</summary>
    public int MaxReported { get; init; } = 8;
}

/// <summary>
/// Compares the analytic gradient of L = sum(f(x) * w) with central finite differences, in float64. The
/// fixed random weights w make the upstream gradient non-trivial, so a backward that ignores or mis-shapes
/// its incoming gradient fails (with w = 1 many such bugs would pass). Inputs may be non-contiguous views
/// (transposed, narrowed): the checker perturbs each element of the view in place, so f sees exactly the
/// layout the caller built. Inputs must not overlap themselves (no expanded, stride-0 views).
/// Cost: two forward passes per differentiated input element, so keep inputs small (tens of elements).
/// <code>
/// // Non-float inputs (int32 indices) pass through untouched; options.Wrt picks inputs explicitly.
/// GradCheck.Assert(xs => Conv2d(xs[0], xs[1], stride: 2), input, weight);
/// var report = GradCheck.Run(f, inputs, new GradCheckOptions { AbsTol = 1e-5 });
/// </code>
/// </summary>
public static class GradCheck
{
    /// <summary>Runs the check and throws <see cref="GradCheckException"/> listing the failing elements.</summary>
    public static void Assert(Func<Tensor[], Tensor> f, params Tensor[] inputs) => Assert(f, inputs, new GradCheckOptions());

    public static void Assert(Func<Tensor[], Tensor> f, Tensor[] inputs, GradCheckOptions options, string? label = null)
    {
        var report = Run(f, inputs, options);
        if (!report.Passed) throw new GradCheckException(report.Describe(label, options.MaxReported));
    }

    /// <summary>Runs the check and returns every comparison's outcome.</summary>
    public static GradCheckReport Run(Func<Tensor[], Tensor> f, Tensor[] inputs, GradCheckOptions? options = null)
    {
        options ??= new GradCheckOptions();
        var wrt = options.Wrt ?? inputs.Select(t => t.DType.IsFloating()).ToArray();
        if (wrt.Length != inputs.Length)
            throw new ArgumentException($"Wrt has {wrt.Length} entries for {inputs.Length} inputs.");
        for (int i = 0; i < inputs.Length; i++)
            if (wrt[i]) CheckInput(inputs[i], i);

        using var scope = TensorScope.Begin();
        // Leaves of our own that share the callers' storage: the callers' tensors get no .Grad, and the
        // perturbations below write through to exactly the elements f reads.
        var leaves = inputs.Select((t, i) => wrt[i] ? t.Detach().RequireGrad() : t).ToArray();

        var analytic = Analytic(f, leaves, wrt, options.Seed, out var weights, out var outShape);
        var report = new GradCheckReport(inputs.Select(t => t.Shape).ToArray(), inputs.Select(t => t.Strides).ToArray(), outShape);
        for (int i = 0; i < leaves.Length; i++)
        {
            if (!wrt[i]) continue;
            var numeric = Numeric(f, leaves, i, weights, options.Step);
            for (int e = 0; e < numeric.Length; e++)
            {
                double a = analytic[i]![e], n = numeric[e];
                double tol = options.AbsTol + options.RelTol * Math.Max(Math.Abs(a), Math.Abs(n));
                report.Add(new GradComparison(i, Unravel(e, leaves[i].Shape), a, n, tol));
            }
        }
        return report;
    }

    private static void CheckInput(Tensor t, int i)
    {
        if (t.DType != DType.Float64)
            throw new ArgumentException($"Input {i} is {t.DType.Name()}: gradient checks need float64 (finite differences in float32 are mostly rounding noise).");
        var shape = t.Shape; var strides = t.Strides;
        for (int d = 0; d < shape.Length; d++)
            if (shape[d] > 1 && strides[d] == 0)
                throw new ArgumentException($"Input {i} is an expanded view (stride 0 on dimension {d}): its elements overlap, so they cannot be perturbed one at a time. Expand inside f instead.");
    }

    /// <summary>dL/dx for every differentiated input, by one backward pass.</summary>
    private static double[]?[] Analytic(Func<Tensor[], Tensor> f, Tensor[] leaves, bool[] wrt, ulong seed, out double[] weights, out int[] outShape)
    {
        foreach (var l in leaves) if (l.RequiresGrad) l.ZeroGrad();
        var y = f(leaves);
        if (y.DType != DType.Float64) throw new ArgumentException($"f returned {y.DType.Name()}; gradient checks need a float64 output.");
        var values = y.ToDoubleArray();
        outShape = y.Shape;
        int bad = Array.FindIndex(values, v => !double.IsFinite(v));
        if (bad >= 0)
            throw new ArgumentException($"f produced the non-finite value {values[bad]} at {GradComparison.FormatIndex(Unravel(bad, outShape))}: choose inputs inside the op's domain.");

        var gen = new Generator(seed);
        // Magnitudes in [0.5, 1.5] with random signs: no output's contribution is negligible or cancels by design.
        weights = new double[values.Length];
        for (int k = 0; k < weights.Length; k++) weights[k] = gen.NextUniform(0.5, 1.5) * (gen.NextDouble() < 0.5 ? -1 : 1);

        // An output that does not require grad means the op recorded nothing: its analytic gradient is zero,
        // which the finite differences then contradict (unless f really is constant).
        if (y.RequiresGrad)
        {
            using var w = Tensor.FromArray(weights, outShape);
            (y * w).Sum().Backward();
        }
        var grads = new double[]?[leaves.Length];
        for (int i = 0; i < leaves.Length; i++)
        {
            if (!wrt[i]) continue;
            grads[i] = leaves[i].Grad?.ToDoubleArray() ?? new double[leaves[i].Numel];
            if (grads[i]!.Length != leaves[i].Numel)
                throw new InvalidOperationException($"Input {i}: gradient has {grads[i]!.Length} elements for an input of {leaves[i].Numel}.");
            leaves[i].ZeroGrad();
        }
        return grads;
    }

    /// <summary>dL/dx_e = sum_k w_k (f_k(x + h e) - f_k(x - h e)) / 2h for every element e of input i. The
    /// difference is taken per output element before weighting, so outputs that do not depend on x_e
    /// contribute exactly zero instead of rounding noise of the whole sum.</summary>
    private static double[] Numeric(Func<Tensor[], Tensor> f, Tensor[] leaves, int i, double[] weights, double h)
    {
        using var noGrad = GradMode.NoGrad();
        var x = leaves[i];
        var result = new double[x.Numel];
        var shape = x.Shape;
        for (int e = 0; e < result.Length; e++)
        {
            using var scope = TensorScope.Begin();
            var cell = x.Detach();
            var idx = Unravel(e, shape);
            for (int d = 0; d < idx.Length; d++) cell = cell.Narrow(d, idx[d], 1);
            double x0 = cell.Item();
            // Use the steps as represented, so (xp - xm) is the exact distance between the two evaluations.
            double xp = x0 + h, xm = x0 - h;
            cell.Fill(xp);
            var yp = f(leaves).ToDoubleArray();
            cell.Fill(xm);
            var ym = f(leaves).ToDoubleArray();
            cell.Fill(x0);
            double acc = 0;
            for (int k = 0; k < yp.Length; k++)
            {
                double diff = yp[k] - ym[k];
                if (diff != 0) acc += weights[k] * diff;
            }
            result[e] = acc / (xp - xm);
        }
        return result;
    }

    /// <summary>The row-major multi-index of a flat element number.</summary>
    public static int[] Unravel(int flat, int[] shape)
    {
        var idx = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return idx;
    }
}
