using Lfm2Vl.Engine;
using Lfm2Vl.Engine.Backends.Cpu;
using Xunit;

namespace Lfm2Vl.Engine.Tests;

public class SmokeTests
{
    [Fact]
    public void MatMulAndBackwardProduceKnownValues()
    {
        var a = Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3).RequireGrad();
        var b = Tensor.FromArray(new float[] { 1, 0, 0, 1, 1, 1 }, 3, 2).RequireGrad();
        var y = Tensor.MatMul(a, b);
        Assert.Equal(new float[] { 4, 5, 10, 11 }, y.ToArray<float>());
        y.Sum().Backward();
        Assert.Equal(new float[] { 1, 1, 2, 1, 1, 2 }, a.Grad!.ToArray<float>());
        Assert.Equal(new float[] { 5, 5, 7, 7, 9, 9 }, b.Grad!.ToArray<float>());
    }

    [Fact]
    public void ErfMatchesKnownValues()
    {
        Assert.Equal(0.8427007929497149, ScalarMath.Erf(1.0), tolerance: 1e-15);
        Assert.Equal(0.9999779095030014, ScalarMath.Erf(3.0), tolerance: 1e-15);
        Assert.Equal(-0.5204998778130465, ScalarMath.Erf(-0.5), tolerance: 1e-15);
        Assert.Equal(0.9953222650189527, ScalarMath.Erf(2.0), tolerance: 1e-15);
        Assert.Equal(0.9999999845827421, ScalarMath.Erf(4.0), tolerance: 1e-15);
    }

    [Fact]
    public void BroadcastSumReducesToInputShape()
    {
        var a = Tensor.Ones([2, 3]).RequireGrad();
        var bias = Tensor.FromArray(new float[] { 1, 2, 3 }, 3).RequireGrad();
        var y = (a * bias).Sum();
        Assert.Equal(12, y.Item(), 5);
        y.Backward();
        Assert.Equal(new float[] { 2, 2, 2 }, bias.Grad!.ToArray<float>());
    }

    [Fact]
    public void ReductionsAndSoftmax()
    {
        var x = Tensor.FromArray(new double[] { 1, 5, 3, 2, 2, 8 }, 2, 3);
        Assert.Equal(new double[] { 5, 8 }, x.Max(1).ToArray<double>());
        Assert.Equal(new double[] { 3, 7, 11 }, x.Sum(0).ToArray<double>());
        Assert.Equal(new int[] { 1, 2 }, x.ArgMax(1).ToArray<int>());
        var s = x.Softmax(1).Sum(1).ToArray<double>();
        Assert.All(s, v => Assert.Equal(1.0, v, 12));
        var t = x.Transpose(0, 1).Contiguous();
        Assert.Equal(new double[] { 1, 2, 5, 2, 3, 8 }, t.ToArray<double>());
    }
}
