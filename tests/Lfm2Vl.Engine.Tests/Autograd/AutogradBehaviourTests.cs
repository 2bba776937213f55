using Lfm2Vl.Tests.Shared;
using Xunit;

namespace Lfm2Vl.Engine.Tests.Autograd;

/// <summary>How the graph is recorded, walked, accumulated into leaves and released.</summary>
public class AutogradBehaviourTests
{
    private static Tensor Leaf(params double[] v) => Tensor.FromArray(v, v.Length).RequireGrad();

    private static double[] Grad(Tensor t) => t.Grad!.ToArray<double>();

    [Fact]
    public void LeafGradientsAccumulateOverBackwardCalls()
    {
        var x = Leaf(1, 2, 3);
        (x * 2.0).Sum().Backward();
        (x * x).Sum().Backward();
        Assert.Equal(new double[] { 2 + 2, 2 + 4, 2 + 6 }, Grad(x));
    }

    [Fact]
    public void ZeroGradClearsTheAccumulatedGradient()
    {
        var x = Leaf(1, 2);
        (x * 3.0).Sum().Backward();
        x.ZeroGrad();
        Assert.Null(x.Grad);
        (x * 5.0).Sum().Backward();
        Assert.Equal(new double[] { 5, 5 }, Grad(x));
    }

    [Fact]
    public void NoGradRecordsNoGraph()
    {
        var x = Leaf(1, 2);
        Tensor y;
        using (GradMode.NoGrad())
        {
            Assert.False(GradMode.IsEnabled);
            y = (x * x).Exp().Sum();
        }
        Assert.True(GradMode.IsEnabled);
        Assert.False(y.RequiresGrad);
        Assert.Null(y.GradFn);
        var ex = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("does not require grad", ex.Message);
        Assert.Null(x.Grad);
    }

    [Fact]
    public void NestedNoGradScopesRestoreGradMode()
    {
        using (GradMode.NoGrad())
        {
            using (GradMode.NoGrad()) Assert.False(GradMode.IsEnabled);
            Assert.False(GradMode.IsEnabled);
        }
        Assert.True(GradMode.IsEnabled);
    }

    [Fact]
    public void DetachCutsTheGraphButSharesData()
    {
        var x = Leaf(1, 2, 3);
        var d = x.Detach();
        Assert.False(d.RequiresGrad);
        Assert.True(d.IsLeaf);
        Assert.Same(x.Storage, d.Storage);
        (d * x).Sum().Backward(); // only the non-detached factor is differentiated: grad = x, not 2x
        Assert.Equal(new double[] { 1, 2, 3 }, Grad(x));

        var y = x * 2.0;
        var cut = y.Detach();
        Assert.Null(cut.GradFn);
        Assert.False(cut.RequiresGrad);
    }

    [Fact]
    public void BackwardThroughAReleasedGraphThrowsWithAClearMessage()
    {
        var x = Leaf(1, 2);
        var loss = (x * x).Sum();
        loss.Backward();
        var ex = Assert.Throws<InvalidOperationException>(() => loss.Backward());
        Assert.Contains("already released", ex.Message);
        Assert.Contains("retainGraph", ex.Message);
        Assert.Equal(new double[] { 2, 4 }, Grad(x)); // the failed call added nothing
    }

    [Fact]
    public void ReachingAReleasedNodeFromAnotherOutputThrows()
    {
        var x = Leaf(1, 2);
        var shared = x.Exp();
        shared.Sum().Backward();
        var ex = Assert.Throws<InvalidOperationException>(() => (shared * 2.0).Sum().Backward());
        Assert.Contains("retainGraph", ex.Message);
    }

    [Fact]
    public void RetainGraphAllowsASecondBackward()
    {
        var x = Leaf(1, 2);
        var loss = (x * x).Sum();
        loss.Backward(retainGraph: true);
        Assert.False(loss.GradFn!.IsReleased);
        loss.Backward();
        Assert.Equal(new double[] { 4, 8 }, Grad(x));
        Assert.True(loss.GradFn.IsReleased);
    }

    [Fact]
    public void BackwardFromANonScalarWithoutGradientThrows()
    {
        var x = Leaf(1, 2);
        var ex = Assert.Throws<InvalidOperationException>(() => (x * 2.0).Backward());
        Assert.Contains("[2]", ex.Message);
        Assert.Null(x.Grad);
    }

    [Fact]
    public void BackwardWithAnExplicitUpstreamGradient()
    {
        var x = Tensor.FromArray(new double[] { 1, 2, 3, 4 }, 2, 2).RequireGrad();
        var y = x.Square();
        y.Backward(Tensor.FromArray(new double[] { 1, -1, 0.5, 2 }, 2, 2));
        Assert.Equal(new double[] { 2, -4, 3, 16 }, Grad(x));
        Assert.Throws<ArgumentException>(() => (x * 1.0).Backward(Tensor.Ones([4], DType.Float64)));
    }

    [Fact]
    public void BackwardOnALeafSeedsItsGradient()
    {
        var x = Leaf(7);
        x.Backward();
        Assert.Equal(new double[] { 1 }, Grad(x));
    }

    [Fact]
    public void ATensorUsedTwiceReceivesBothContributions()
    {
        var x = Leaf(1.5, -2);
        (x * x).Sum().Backward();
        Assert.Equal(new double[] { 3, -4 }, Grad(x));
        x.ZeroGrad();
        (x + x + x).Sum().Backward();
        Assert.Equal(new double[] { 3, 3 }, Grad(x));
        x.ZeroGrad();
        (x / x).Sum().Backward();
        Assert.Equal(new double[] { 0, 0 }, Grad(x));
    }

    [Fact]
    public void DiamondGraphSumsBothPaths()
    {
        // a = 2x; d = 3a + a^2; dd/dx = 2 * (3 + 2a)
        var x = Leaf(0.5, -1);
        var a = x * 2.0;
        var d = a * 3.0 + a.Square();
        d.Sum().Backward();
        Assert.Equal(new double[] { 2 * (3 + 2 * 1.0), 2 * (3 + 2 * -2.0) }, Grad(x));
        Assert.Null(a.Grad); // only leaves keep gradients
    }

    [Fact]
    public void NestedDiamondsMatchFiniteDifferences()
    {
        // Shared nodes reached through several paths of different lengths, plus a leaf used at two depths.
        GradCheck.Assert(xs =>
        {
            var a = xs[0].Tanh();
            var b = a * xs[1] + a.Exp();
            var c = (b * a).Sigmoid() + b.Square() - xs[0];
            return Tensor.MatMul(c, a.T) + b.Sum(-1, keepDim: true);
        }, Tensor.FromArray(new[] { 0.1, -0.4, 0.7, 0.3, -0.9, 0.5 }, 2, 3), Tensor.FromArray(new[] { 0.2, -0.6, 1.1 }, 3));
    }

    [Fact]
    public void OnlyInputsThatRequireGradGetGradients()
    {
        var x = Leaf(1, 2);
        var c = Tensor.FromArray(new double[] { 3, 4 }, 2);
        (x * c).Sum().Backward();
        Assert.Equal(new double[] { 3, 4 }, Grad(x));
        Assert.Null(c.Grad);
        Assert.False(c.RequiresGrad);
    }

    [Fact]
    public void InPlaceUpdateOfATensorThatRequiresGradNeedsNoGrad()
    {
        var x = Leaf(1, 2);
        var ex = Assert.Throws<InvalidOperationException>(() => x.MulInPlace(2));
        Assert.Contains("NoGrad", ex.Message);
        using (GradMode.NoGrad()) x.MulInPlace(2);
        Assert.Equal(new double[] { 2, 4 }, x.ToArray<double>());
    }

    [Fact]
    public void RequiresGradCannotBeClearedOnANonLeafOrSetOnIntegers()
    {
        var y = Leaf(1) * 2.0;
        Assert.Throws<InvalidOperationException>(() => y.RequiresGrad = false);
        Assert.Throws<InvalidOperationException>(() => Tensor.FromArray(new[] { 1 }, 1).RequireGrad());
    }
}
