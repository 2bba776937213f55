using Lfm2Vl.Engine;
using Lfm2Vl.Nn.Init;
using Xunit;

namespace Lfm2Vl.Nn.Tests;

public class InitTests
{
    private static (double Mean, double Std) Stats(Tensor t)
    {
        var v = t.ToDoubleArray();
        double mean = v.Average();
        return (mean, Math.Sqrt(v.Select(x => (x - mean) * (x - mean)).Average()));
    }

    [Fact]
    public void FansAndGainsFollowPyTorch()
    {
        Assert.Equal((20L, 10L), Fans.Compute([10, 20]));
        Assert.Equal((3L * 9, 16L * 9), Fans.Compute([16, 3, 3, 3]));
        Assert.Throws<ArgumentException>(() => Fans.Compute([5]));
        Assert.Equal(Math.Sqrt(2), Fans.Gain(Nonlinearity.Relu), 15);
        Assert.Equal(5.0 / 3, Fans.Gain(Nonlinearity.Tanh), 15);
        Assert.Equal(1.0, Fans.Gain(Nonlinearity.Linear), 15);
        Assert.Equal(Math.Sqrt(2 / (1 + 0.01 * 0.01)), Fans.Gain(Nonlinearity.LeakyRelu), 15);
        Assert.Equal(Math.Sqrt(2.0 / 6), Fans.Gain(Nonlinearity.LeakyRelu, Math.Sqrt(5)), 15);
    }

    [Fact]
    public void KaimingNormalHasGainOverSqrtFan()
    {
        var t = Tensor.Empty([256, 128]);
        Initializers.KaimingNormal(t, nonlinearity: Nonlinearity.Relu, generator: new Generator(1));
        var (mean, std) = Stats(t);
        Assert.InRange(mean, -0.005, 0.005);
        Assert.InRange(std, 0.98 * Math.Sqrt(2.0 / 128), 1.02 * Math.Sqrt(2.0 / 128));

        Initializers.KaimingNormal(t, mode: FanMode.FanOut, nonlinearity: Nonlinearity.Relu, generator: new Generator(1));
        Assert.InRange(Stats(t).Std, 0.98 * Math.Sqrt(2.0 / 256), 1.02 * Math.Sqrt(2.0 / 256));
    }

    [Fact]
    public void KaimingUniformStaysInItsBound()
    {
        var t = Tensor.Empty([64, 16, 3, 3]);
        Initializers.KaimingUniform(t, a: 0, nonlinearity: Nonlinearity.Relu, generator: new Generator(2));
        double bound = Math.Sqrt(2) * Math.Sqrt(3.0 / (16 * 9));
        var v = t.ToDoubleArray();
        Assert.All(v, x => Assert.InRange(x, -bound, bound));
        Assert.InRange(Stats(t).Std, 0.97 * bound / Math.Sqrt(3), 1.03 * bound / Math.Sqrt(3));
    }

    [Fact]
    public void XavierUniformAndNormal()
    {
        var t = Tensor.Empty([200, 100], DType.Float64);
        Initializers.XavierUniform(t, gain: 2, generator: new Generator(3));
        double bound = 2 * Math.Sqrt(6.0 / 300);
        Assert.All(t.ToDoubleArray(), x => Assert.InRange(x, -bound, bound));
        Assert.InRange(Stats(t).Std, 0.97 * bound / Math.Sqrt(3), 1.03 * bound / Math.Sqrt(3));

        Initializers.XavierNormal(t, generator: new Generator(3));
        var (mean, std) = Stats(t);
        Assert.InRange(mean, -0.003, 0.003);
        Assert.InRange(std, 0.98 * Math.Sqrt(2.0 / 300), 1.02 * Math.Sqrt(2.0 / 300));
    }

    [Fact]
    public void TruncatedNormalStaysInsideAndResamples()
    {
        var t = Tensor.Empty([100_000]);
        Initializers.TruncatedNormal(t, mean: 1, std: 2, a: 0, b: 2, generator: new Generator(4));
        var v = t.ToDoubleArray();
        Assert.All(v, x => Assert.InRange(x, 0, 2));
        // Normal(1, 2) cut to [0, 2] (±0.5 sigma) is nearly flat: std close to that of U(0, 2), 0.577; a clamp would pile mass at the ends.
        Assert.InRange(Stats(t).Std, 0.55, 0.59);
        Assert.True(v.Count(x => x == 0 || x == 2) < 5);
        Assert.Throws<ArgumentException>(() => Initializers.TruncatedNormal(t, a: 10, b: 11));
        Assert.Throws<ArgumentException>(() => Initializers.TruncatedNormal(t, a: 1, b: -1));
    }

    [Fact]
    public void SameSeedGivesSameValuesAndConstantsFill()
    {
        var a = Tensor.Empty([10, 10]);
        var b = Tensor.Empty([10, 10]);
        Initializers.KaimingUniform(a, generator: new Generator(99));
        Initializers.KaimingUniform(b, generator: new Generator(99));
        Assert.Equal(a.ToDoubleArray(), b.ToDoubleArray());
        Initializers.KaimingUniform(b, generator: new Generator(100));
        Assert.NotEqual(a.ToDoubleArray(), b.ToDoubleArray());

        Initializers.ManualSeed(5);
        Initializers.Normal(a);
        Initializers.ManualSeed(5);
        Initializers.Normal(b);
        Assert.Equal(a.ToDoubleArray(), b.ToDoubleArray());

        Assert.All(Initializers.Constant(a, 0.25).ToDoubleArray(), x => Assert.Equal(0.25, x));
        Assert.All(Initializers.Zeros(a).ToDoubleArray(), x => Assert.Equal(0, x));
        Assert.All(Initializers.Ones(a).ToDoubleArray(), x => Assert.Equal(1, x));
    }

    [Fact]
    public void InitializersWorkOnParametersThatRequireGrad()
    {
        var p = new Modules.Parameter(Tensor.Zeros([4, 4]));
        Initializers.XavierUniform(p, generator: new Generator(1));
        Assert.True(p.RequiresGrad);
        Assert.True(p.Data.IsLeaf);
        Assert.Contains(p.Data.ToDoubleArray(), x => x != 0);
    }
}
