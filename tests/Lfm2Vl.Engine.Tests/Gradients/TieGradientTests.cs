using Xunit;

namespace Lfm2Vl.Engine.Tests.Gradients;

/// <summary>At ties the gradient is not defined by finite differences; the engine splits it evenly among the
/// tied entries, as torch.amax/amin and torch.maximum/minimum do.</summary>
public class TieGradientTests
{
    [Fact]
    public void MaxSplitsTheGradientAmongTiedMaxima()
    {
        var x = Tensor.FromArray(new double[] { 3, 1, 3, 2, 5, 5, 5, 0 }, 2, 4).RequireGrad();
        (x.Max(1) * Tensor.FromArray(new double[] { 6, 9 }, 2)).Sum().Backward();
        Assert.Equal(new double[] { 3, 0, 3, 0, 3, 3, 3, 0 }, x.Grad!.ToArray<double>());
    }

    [Fact]
    public void MinOverAllAxesSplitsTheGradient()
    {
        var x = Tensor.FromArray(new double[] { -1, 4, -1, -1 }, 2, 2).RequireGrad();
        x.Min().Backward();
        Assert.Equal(new double[] { 1 / 3.0, 0, 1 / 3.0, 1 / 3.0 }, x.Grad!.ToArray<double>());
    }

    [Fact]
    public void ElementwiseMaximumSplitsTiesInHalf()
    {
        var a = Tensor.FromArray(new double[] { 1, 2, 3 }, 3).RequireGrad();
        var b = Tensor.FromArray(new double[] { 1, 5, 0 }, 3).RequireGrad();
        Tensor.Maximum(a, b).Sum().Backward();
        Assert.Equal(new double[] { 0.5, 0, 1 }, a.Grad!.ToArray<double>());
        Assert.Equal(new double[] { 0.5, 1, 0 }, b.Grad!.ToArray<double>());
    }
}
