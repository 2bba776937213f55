using Xunit;

namespace Lfm2Vl.Engine.Tests.Nn;

/// <summary>
/// Evaluation-mode batch norm (folded into one per-channel scale and shift) against the definition
/// (x - mean) / sqrt(var + eps) * weight + bias in float64, with and without the affine parameters.
/// (Its gradients are checked by NnNormGradientTests.BatchNormEval.)
/// </summary>
public class BatchNormEvalTests
{
    [Theory]
    [InlineData(true, true, DType.Float32)]
    [InlineData(false, true, DType.Float32)]
    [InlineData(true, false, DType.Float64)]
    [InlineData(false, false, DType.Float64)]
    public void MatchesTheDefinition(bool hasWeight, bool hasBias, DType dtype)
    {
        int n = 2, c = 5, h = 3, w = 4;
        const double eps = 1e-3;
        var rng = new Random(c + (hasWeight ? 10 : 0) + (hasBias ? 20 : 0));
        double[] Values(int len, double lo, double hi) => Enumerable.Range(0, len).Select(_ => lo + (hi - lo) * rng.NextDouble()).ToArray();
        double[] xs = Values(n * c * h * w, -4, 4), mean = Values(c, -1, 1), var = Values(c, 0.01, 3), wt = Values(c, -2, 2), bs = Values(c, -1, 1);

        using var noGrad = GradMode.NoGrad();
        var y = Functional.BatchNorm(Tensor.FromDoubles(xs, [n, c, h, w], dtype), Tensor.FromDoubles(mean, [c], dtype),
            Tensor.FromDoubles(var, [c], dtype), hasWeight ? Tensor.FromDoubles(wt, [c], dtype) : null,
            hasBias ? Tensor.FromDoubles(bs, [c], dtype) : null, training: false, eps: eps).ToDoubleArray();

        double tol = dtype == DType.Float32 ? 1e-5 : 1e-12;
        for (int i = 0; i < xs.Length; i++)
        {
            int ch = i / (h * w) % c;
            double expected = (xs[i] - mean[ch]) / Math.Sqrt(var[ch] + eps) * (hasWeight ? wt[ch] : 1) + (hasBias ? bs[ch] : 0);
            Assert.True(Math.Abs(y[i] - expected) <= tol * (1 + Math.Abs(expected)), $"y[{i}] = {y[i]}, expected {expected}");
        }
    }
}
