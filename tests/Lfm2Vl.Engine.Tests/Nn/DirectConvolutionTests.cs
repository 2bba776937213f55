using Xunit;

namespace Lfm2Vl.Engine.Tests.Nn;

/// <summary>The im2col convolution against a direct six-loop definition, with finite-difference gradients.</summary>
public class DirectConvolutionTests
{
    private static double[] DirectConv(double[] x, int n, int c, int h, int w, double[] wt, int oc, int kh, int kw, int s, int p, int d, int groups, out int oh, out int ow)
    {
        oh = (h + 2 * p - d * (kh - 1) - 1) / s + 1;
        ow = (w + 2 * p - d * (kw - 1) - 1) / s + 1;
        int cg = c / groups, ocg = oc / groups;
        var y = new double[n * oc * oh * ow];
        for (int b = 0; b < n; b++)
            for (int o = 0; o < oc; o++)
            {
                int g = o / ocg;
                for (int yy = 0; yy < oh; yy++)
                    for (int xx = 0; xx < ow; xx++)
                    {
                        double acc = 0;
                        for (int ci = 0; ci < cg; ci++)
                            for (int ki = 0; ki < kh; ki++)
                                for (int kj = 0; kj < kw; kj++)
                                {
                                    int iy = yy * s - p + ki * d, ix = xx * s - p + kj * d;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                    acc += x[((b * c + g * cg + ci) * h + iy) * w + ix] * wt[((o * cg + ci) * kh + ki) * kw + kj];
                                }
                        y[((b * oc + o) * oh + yy) * ow + xx] = acc;
                    }
            }
        return y;
    }

    [Theory]
    [InlineData(2, 3, 7, 6, 4, 3, 1, 1, 1, 1)]
    [InlineData(1, 4, 9, 9, 6, 3, 2, 1, 1, 2)]
    [InlineData(3, 4, 8, 5, 4, 3, 1, 2, 2, 4)]   // depthwise, dilated
    [InlineData(2, 5, 4, 4, 3, 1, 1, 0, 1, 1)]   // 1x1 pointwise
    [InlineData(1, 2, 5, 5, 2, 5, 3, 2, 1, 1)]
    public void MatchesDirectDefinitionAndFiniteDifferences(int n, int c, int h, int w, int oc, int k, int s, int p, int d, int groups)
    {
        var gen = new Generator(42);
        var x = Tensor.Randn([n, c, h, w], gen, dtype: DType.Float64).RequireGrad();
        var wt = Tensor.Randn([oc, c / groups, k, k], gen, dtype: DType.Float64).RequireGrad();
        var bias = Tensor.Randn([oc], gen, dtype: DType.Float64).RequireGrad();
        var y = Functional.Conv2d(x, wt, bias, s, p, d, groups);
        var expected = DirectConv(x.ToArray<double>(), n, c, h, w, wt.ToArray<double>(), oc, k, k, s, p, d, groups, out int oh, out int ow);
        Assert.Equal(new[] { n, oc, oh, ow }, y.Shape);
        var got = y.ToArray<double>();
        var bv = bias.ToArray<double>();
        for (int i = 0; i < got.Length; i++)
            Assert.Equal(expected[i] + bv[i / (oh * ow) % oc], got[i], 10);

        // Gradients of sum(y * r) against central differences of the direct definition.
        var r = Tensor.Randn(y.Shape, gen, dtype: DType.Float64);
        (y * r).Sum().Backward();
        var rv = r.ToArray<double>();
        double Loss(double[] xv, double[] wv) =>
            DirectConv(xv, n, c, h, w, wv, oc, k, k, s, p, d, groups, out _, out _).Select((v, i) => v * rv[i]).Sum();
        var x0 = x.ToArray<double>(); var w0 = wt.ToArray<double>();
        var gx = x.Grad!.ToArray<double>(); var gw = wt.Grad!.ToArray<double>();
        const double eps = 1e-6;
        for (int i = 0; i < x0.Length; i += Math.Max(1, x0.Length / 17))
        {
            var xp = (double[])x0.Clone(); xp[i] += eps; var xm = (double[])x0.Clone(); xm[i] -= eps;
            Assert.Equal((Loss(xp, w0) - Loss(xm, w0)) / (2 * eps), gx[i], 6);
        }
        for (int i = 0; i < w0.Length; i += Math.Max(1, w0.Length / 17))
        {
            var wp = (double[])w0.Clone(); wp[i] += eps; var wm = (double[])w0.Clone(); wm[i] -= eps;
            Assert.Equal((Loss(x0, wp) - Loss(x0, wm)) / (2 * eps), gw[i], 6);
        }
        var gb = bias.Grad!.ToArray<double>();
        for (int o = 0; o < oc; o++)
        {
            double sum = 0;
            for (int b = 0; b < n; b++) for (int q = 0; q < oh * ow; q++) sum += rv[(b * oc + o) * oh * ow + q];
            Assert.Equal(sum, gb[o], 9);
        }
    }

    [Fact]
    public void AttentionMatchesComposedSoftmax()
    {
        var gen = new Generator(7);
        var q = Tensor.Randn([2, 3, 5, 4], gen, dtype: DType.Float64).RequireGrad();
        var k = Tensor.Randn([2, 3, 6, 4], gen, dtype: DType.Float64).RequireGrad();
        var v = Tensor.Randn([2, 3, 6, 2], gen, dtype: DType.Float64).RequireGrad();
        var mask = Tensor.Randn([5, 6], gen, dtype: DType.Float64);
        var r = Tensor.Randn([2, 3, 5, 2], gen, dtype: DType.Float64);
        var fused = Functional.ScaledDotProductAttention(q, k, v, mask);
        (fused * r).Sum().Backward();
        var (gq, gk, gv) = (q.Grad!.ToArray<double>(), k.Grad!.ToArray<double>(), v.Grad!.ToArray<double>());
        q.ZeroGrad(); k.ZeroGrad(); v.ZeroGrad();
        var composed = Tensor.MatMul((Tensor.MatMul(q, k.Transpose(-1, -2)) * 0.5 + mask).Softmax(-1), v);
        (composed * r).Sum().Backward();
        AssertClose(composed.ToArray<double>(), fused.ToArray<double>());
        AssertClose(q.Grad!.ToArray<double>(), gq);
        AssertClose(k.Grad!.ToArray<double>(), gk);
        AssertClose(v.Grad!.ToArray<double>(), gv);
    }

    private static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 10);
    }
}
