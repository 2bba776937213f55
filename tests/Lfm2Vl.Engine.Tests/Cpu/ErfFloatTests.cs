using Lfm2Vl.Engine.Backends.Cpu;
using Xunit;

namespace Lfm2Vl.Engine.Tests.Cpu;

/// <summary>
/// The float erf (a rational approximation used by exact GELU in float32) against the double series, over the
/// range where erf is not yet +-1 in float and beyond, plus its symmetry and NaN handling.
/// </summary>
public class ErfFloatTests
{
    [Fact]
    public void MatchesDoubleErfWithinFiveTenMillionths()
    {
        double worst = 0;
        for (int i = -60000; i <= 60000; i++)
        {
            float x = i / 10000f;
            double err = Math.Abs(ScalarMath.ErfFloat(x) - ScalarMath.Erf((double)x));
            worst = Math.Max(worst, err);
        }
        Assert.True(worst < 5e-7, $"max abs error {worst:E3}");
    }

    [Theory]
    [InlineData(1e-6f)]
    [InlineData(0.3f)]
    [InlineData(2.2f)]
    public void IsOddAndRelativelyAccurateNearZero(float x)
    {
        Assert.Equal(-ScalarMath.ErfFloat(x), ScalarMath.ErfFloat(-x));
        double exact = ScalarMath.Erf((double)x);
        Assert.True(Math.Abs(ScalarMath.ErfFloat(x) - exact) <= 1e-6 * Math.Abs(exact) + 1e-7);
    }

    [Fact]
    public void SaturatesAndPropagatesNaN()
    {
        Assert.Equal(1f, ScalarMath.ErfFloat(50f));
        Assert.Equal(-1f, ScalarMath.ErfFloat(float.NegativeInfinity));
        Assert.True(float.IsNaN(ScalarMath.ErfFloat(float.NaN)));
    }

    [Fact]
    public void GenericFloatPathUsesIt() => Assert.Equal(ScalarMath.ErfFloat(0.7f), ScalarMath.Erf(0.7f));
}
