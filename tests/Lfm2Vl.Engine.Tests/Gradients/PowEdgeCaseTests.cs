using Xunit;

namespace Lfm2Vl.Engine.Tests.Gradients;

/// <summary>Where pow's textbook derivative is 0 * inf, PyTorch defines it as 0 (so a zero base or a zero
/// exponent cannot poison a whole gradient with NaN); finite differences cannot test these points.</summary>
public class PowEdgeCaseTests
{
    [Fact]
    public void ScalarExponentZeroHasZeroGradientEvenAtZero()
    {
        var x = Tensor.FromArray(new double[] { 0, 2, -3 }, 3).RequireGrad();
        x.Pow(0).Sum().Backward();
        Assert.Equal(new double[] { 0, 0, 0 }, x.Grad!.ToArray<double>());
    }

    [Fact]
    public void TensorExponentZeroHasZeroBaseGradientAtZero()
    {
        var a = Tensor.FromArray(new double[] { 0, 0, 2 }, 3).RequireGrad();
        var b = Tensor.FromArray(new double[] { 0, 2, 0 }, 3);
        Tensor.Pow(a, b).Sum().Backward();
        Assert.Equal(new double[] { 0, 0, 0 }, a.Grad!.ToArray<double>());
    }

    [Fact]
    public void ZeroBaseHasZeroExponentGradientForNonNegativeExponents()
    {
        // d(a^b)/db = a^b log a: 0 * -inf at a = 0; PyTorch returns 0 there when b >= 0.
        var a = Tensor.FromArray(new double[] { 0, 0, 2 }, 3);
        var b = Tensor.FromArray(new double[] { 0, 1.5, 3 }, 3).RequireGrad();
        Tensor.Pow(a, b).Sum().Backward();
        Assert.Equal(new double[] { 0, 0, 8 * Math.Log(2) }, b.Grad!.ToArray<double>());
    }

    [Fact]
    public void ZeroBaseWithBroadcastExponentKeepsShapes()
    {
        var a = Tensor.FromArray(new double[] { 0, 1, 0, 3 }, 2, 2).RequireGrad();
        var b = Tensor.FromArray(new double[] { 2 }, 1).RequireGrad();
        Tensor.Pow(a, b).Sum().Backward();
        Assert.Equal(new double[] { 0, 2, 0, 6 }, a.Grad!.ToArray<double>());
        Assert.Equal(9 * Math.Log(3), b.Grad!.Item(), 12);
    }
}
