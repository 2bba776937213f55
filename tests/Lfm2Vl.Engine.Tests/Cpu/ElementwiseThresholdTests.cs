using Lfm2Vl.Engine.Backends.Cpu;
using Xunit;

namespace Lfm2Vl.Engine.Tests.Cpu;

/// <summary>
/// Cheap elementwise ops run on one thread up to StridedLoop.CheapParallelThreshold elements and across cores
/// above it; both sides, with a per-channel broadcast operand and a strided (transposed) one, against the values
/// computed one by one.
/// </summary>
public class ElementwiseThresholdTests
{
    [Theory]
    [InlineData(StridedLoop.CheapParallelThreshold / 1024 - 1)]
    [InlineData(StridedLoop.CheapParallelThreshold / 1024 + 3)]
    public void CheapOpsAgreeOnBothSidesOfTheThreshold(int channels)
    {
        const int plane = 1024;
        var rng = new Random(channels);
        var xs = Enumerable.Range(0, channels * plane).Select(_ => (float)(rng.NextDouble() * 4 - 2)).ToArray();
        var ss = Enumerable.Range(0, channels).Select(_ => (float)(rng.NextDouble() * 2)).ToArray();
        using var noGrad = GradMode.NoGrad();
        var x = Tensor.FromArray(xs, 1, channels, 32, 32);
        var s = Tensor.FromArray(ss, 1, channels, 1, 1);

        var scaled = (x * s).ToArray<float>();
        var relu = (x + s).Relu().ToArray<float>();
        var transposed = x.Reshape(channels, plane).Transpose(0, 1) * 2.0; // strided rows: the default threshold
        var tr = transposed.ToArray<float>();
        for (int i = 0; i < xs.Length; i++)
        {
            int c = i / plane;
            Assert.Equal(xs[i] * ss[c], scaled[i]);
            Assert.Equal(Math.Max(xs[i] + ss[c], 0f), relu[i]);
        }
        for (int p = 0; p < plane; p++)
            for (int c = 0; c < channels; c++) Assert.Equal(xs[c * plane + p] * 2f, tr[p * channels + c]);
    }
}
