using Lfm2Vl.Deploy.Graph;
using Lfm2Vl.Deploy.Inference;
using Xunit;

namespace Lfm2Vl.Deploy.Tests;

/// <summary>
/// The float32 convolution executor against a direct float64 convolution: both paths at stride 1 (shifted windows and
/// unfolded; one block or many, a single block split across the cores), the unfolded one at stride 2, ragged channel
/// counts, batch 1 and 3.
/// </summary>
public class FloatConvExecutorTests
{
    [Theory]
    [InlineData(5, 13, 3, 1, 1, 9, 11, 1)]      // ragged channels (13 = 8 + 5), non-square, one block
    [InlineData(3, 8, 3, 1, 0, 24, 20, 3)]      // no padding, several blocks of wide columns, batch 3
    [InlineData(4, 9, 5, 1, 2, 17, 17, 2)]      // 5x5
    [InlineData(96, 136, 3, 1, 1, 10, 10, 1)]   // one block with work enough to split rows and window across the cores
    [InlineData(64, 72, 3, 1, 1, 7, 7, 1)]      // a late 7x7 layer
    [InlineData(16, 24, 3, 1, 1, 40, 33, 1)]    // many blocks at batch 1
    [InlineData(6, 10, 3, 2, 1, 15, 14, 2)]     // stride 2: unfolded path
    public void MatchesDirectConvolution(int c, int oc, int kernel, int stride, int pad, int h, int w, int n)
    {
        foreach (bool shifted in stride == 1 ? new[] { true, false } : new[] { false })
            Check(c, oc, kernel, stride, pad, h, w, n, shifted);
    }

    /// <summary>Execute picks shifted windows for the 3x3 stride-1 layers of ResNet-18, and unfolds where they would add work.</summary>
    [Theory]
    [InlineData(64, 56, true)]
    [InlineData(256, 14, true)]
    [InlineData(512, 7, true)]
    [InlineData(128, 8, false)]   // 80 wide columns: 3 panels instead of 2
    [InlineData(32, 32, false)]   // K = 288: unfolding is cheap
    public void PathChoice(int c, int hw, bool shifted)
    {
        var node = new ConvNode("x", "y", new float[c * c * 9], c, c, 3, 1, 1, new float[c], Activation.Relu);
        Assert.Equal(shifted, FloatConvExecutor.PreferShifted(node, hw, hw, hw));
    }

    private static unsafe void Check(int c, int oc, int kernel, int stride, int pad, int h, int w, int n, bool shifted)
    {
        var rng = new Random(c * 31 + oc + h);
        float[] weight = Enumerable.Range(0, oc * c * kernel * kernel).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        float[] bias = Enumerable.Range(0, oc).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        float[] x = Enumerable.Range(0, n * c * h * w).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var node = new ConvNode("x", "y", weight, oc, c, kernel, stride, pad, bias, Activation.Relu);
        int oh = node.OutSize(h), ow = node.OutSize(w);
        var y = new float[n * oc * oh * ow];
        var exec = new FloatConvExecutor(node);
        fixed (float* xp = x) fixed (float* yp = y)
        {
            if (shifted) exec.ExecuteShifted(xp, n, h, w, yp, oh, ow);
            else exec.ExecuteUnfolded(xp, n, h, w, yp, oh, ow);
        }
        double tol = 1e-4 * Math.Sqrt(c * kernel * kernel);
        for (int img = 0; img < n; img++)
            for (int o = 0; o < oc; o++)
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++)
                    {
                        double s = bias[o];
                        for (int ci = 0; ci < c; ci++)
                            for (int ki = 0; ki < kernel; ki++)
                                for (int kj = 0; kj < kernel; kj++)
                                {
                                    int iy = oy * stride - pad + ki, ix = ox * stride - pad + kj;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                    s += (double)weight[((o * c + ci) * kernel + ki) * kernel + kj] * x[((img * c + ci) * h + iy) * w + ix];
                                }
                        double expected = Math.Max(0, s), got = y[((img * oc + o) * oh + oy) * ow + ox];
                        Assert.True(Math.Abs(expected - got) <= tol, $"{(shifted ? "shifted" : "unfolded")}: y[{img},{o},{oy},{ox}] = {got}, expected {expected}");
                    }
    }
}
