using Lfm2Vl.Engine;
using Lfm2Vl.Nn.Modules;
using Lfm2Vl.Nn.Optim;
using Xunit;

namespace Lfm2Vl.Nn.Tests;

public class GradClipTests
{
    private static Parameter[] WithGrads(params double[][] grads) => grads.Select(g =>
    {
        var p = new Parameter(Tensor.Zeros([g.Length], DType.Float64));
        p.Data.Grad = Tensor.FromArray(g, g.Length).Persist();
        return p;
    }).ToArray();

    [Fact]
    public void ClipByGlobalNormScalesAllGradientsTogether()
    {
        var ps = WithGrads([3, 4], [12]); // global norm 13
        Assert.Equal(13, GradClip.ClipGradNorm(ps, 6.5), 12);
        double c = 6.5 / (13 + 1e-6);
        TestUtil.AssertClose([3 * c, 4 * c], ps[0].Grad!.ToDoubleArray(), 1e-15, "g0");
        TestUtil.AssertClose([12 * c], ps[1].Grad!.ToDoubleArray(), 1e-15, "g1");
        Assert.Equal(6.5, GradClip.ClipGradNorm(ps, 100), 6); // under the limit: returned, untouched
        TestUtil.AssertClose([12 * c], ps[1].Grad!.ToDoubleArray(), 1e-15, "g1 unchanged");
    }

    [Fact]
    public void OtherNormsAndMissingGradients()
    {
        var ps = WithGrads([3, -4], [12]);
        var none = new Parameter(Tensor.Zeros([2]));
        Assert.Equal(12, GradClip.ClipGradNorm([.. ps, none], 1e9, double.PositiveInfinity));
        Assert.Equal(19, GradClip.ClipGradNorm(ps, 1e9, 1), 12);
        Assert.Equal(Math.Pow(27 + 64 + 1728, 1.0 / 3), GradClip.ClipGradNorm(ps, 1e9, 3), 10);
        Assert.Equal(0, GradClip.ClipGradNorm([none], 1));
        Assert.Null(none.Grad);
    }

    [Fact]
    public void NonFiniteNormsCanBeReported()
    {
        var ps = WithGrads([double.NaN, 1]);
        Assert.True(double.IsNaN(GradClip.ClipGradNorm(ps, 1)));
        Assert.Throws<InvalidOperationException>(() => GradClip.ClipGradNorm(ps, 1, errorIfNonfinite: true));
    }

    [Fact]
    public void ClipByValueClampsEachElement()
    {
        var ps = WithGrads([3, -4, 0.5], [12]);
        GradClip.ClipGradValue(ps, 3.5);
        Assert.Equal(new double[] { 3, -3.5, 0.5 }, ps[0].Grad!.ToDoubleArray());
        Assert.Equal(new double[] { 3.5 }, ps[1].Grad!.ToDoubleArray());
    }
}
