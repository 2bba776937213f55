using Lfm2Vl.Tests.Shared;
using Xunit;

namespace Lfm2Vl.Engine.Tests.Gradients;

/// <summary>The checker itself: it must pass correct gradients, and fail wrong ones with a useful message.</summary>
public class GradCheckSelfTests
{
    private static Tensor Input(params double[] v) => Tensor.FromArray(v, v.Length);

    [Fact]
    public void PassesACorrectGradient()
    {
        var report = GradCheck.Run(xs => (xs[0] * xs[1]).Exp(), [Input(0.5, -1, 2), Input(1, 0.25, -0.5)]);
        Assert.True(report.Passed, report.Describe());
        Assert.Equal(6, report.Comparisons.Count);
        Assert.True(report.MaxError < 1e-8, $"max error {report.MaxError}");
    }

    [Fact]
    public void FailsAGradientMissingATermAndNamesTheElement()
    {
        // d(x*x)/dx = 2x, but through Detach() only one factor is differentiated: analytic x, numeric 2x.
        var ex = Assert.Throws<GradCheckException>(() => GradCheck.Assert(xs => xs[0].Detach() * xs[0], Input(3, -2)));
        Assert.Contains("2 of 2", ex.Message);
        Assert.Contains("input 0 element [0]", ex.Message);
        Assert.Contains("input 0 element [1]", ex.Message);
    }

    [Fact]
    public void FailsAnOutputThatRecordedNoGraph()
    {
        var report = GradCheck.Run(xs => xs[0].Detach().Exp(), [Input(1, 2)]);
        Assert.False(report.Passed);
        Assert.All(report.Comparisons, c => Assert.Equal(0, c.Analytic));
    }

    [Fact]
    public void UsesNonTrivialUpstreamWeights()
    {
        // With w = 1 the gradient of sum(x) would be all ones; the random w makes it w itself.
        var x = Input(1, 2, 3, 4);
        var report = GradCheck.Run(xs => xs[0] * 1.0, [x]);
        Assert.True(report.Passed, report.Describe());
        Assert.Contains(report.Comparisons, c => Math.Abs(Math.Abs(c.Analytic) - 1) > 0.01);
    }

    [Fact]
    public void ChecksNonContiguousInputsWithoutTouchingTheCallersTensor()
    {
        var x = Tensor.FromArray(new double[] { 1, 2, 3, 4, 5, 6 }, 2, 3).Transpose(0, 1);
        Assert.False(x.IsContiguous);
        GradCheck.Assert(xs => xs[0].Square().Sum(0), x);
        Assert.Null(x.Grad);
        Assert.False(x.RequiresGrad);
        Assert.Equal(new double[] { 1, 4, 2, 5, 3, 6 }, x.ToArray<double>()); // restored after perturbation
    }

    [Fact]
    public void RejectsFloat32AndOverlappingInputs()
    {
        Assert.Throws<ArgumentException>(() => GradCheck.Run(xs => xs[0], [Tensor.FromArray(new float[] { 1 }, 1)]));
        Assert.Throws<ArgumentException>(() => GradCheck.Run(xs => xs[0], [Input(1).Expand(3)]));
    }

    [Fact]
    public void SkipsInputsOutsideWrt()
    {
        var report = GradCheck.Run(xs => xs[0] * xs[1], [Input(1, 2), Input(3, 4)], new GradCheckOptions { Wrt = [false, true] });
        Assert.True(report.Passed);
        Assert.All(report.Comparisons, c => Assert.Equal(1, c.Input));
    }
}
