using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Lfm2Vl.Deploy.Graph;
using Lfm2Vl.Deploy.Kernels;
using Lfm2Vl.Deploy.Quantization;
using Xunit;

namespace Lfm2Vl.Deploy.Tests;

/// <summary>
/// The int8 direct convolution equals, bit for bit, a plain scalar convolution over the quantized values with the
/// same dequantization formula, for ragged shapes (pixels and output channels not multiples of the tiles, channels not
/// multiples of four), strides, paddings, batches, both the VNNI and the scalar kernels, and the sizes that split the
/// work over cores (by pixels, by output-channel blocks, by images).
/// </summary>
public class Int8ConvExecutorTests
{
    [Theory]
    [InlineData(1, 3, 9, 11, 5, 3, 1, 1, true)]
    [InlineData(3, 5, 7, 6, 19, 3, 2, 1, false)]
    [InlineData(1, 3, 23, 21, 17, 7, 2, 3, true)]   // the ResNet stem's shape, small
    [InlineData(3, 8, 9, 9, 33, 1, 2, 0, false)]    // the 1x1 stride-2 downsample
    [InlineData(2, 16, 5, 13, 16, 3, 1, 0, true)]
    [InlineData(1, 1, 1, 1, 1, 1, 1, 0, true)]
    [InlineData(1, 64, 30, 30, 64, 3, 1, 1, true)]  // split over cores by pixels
    [InlineData(1, 512, 7, 7, 64, 3, 1, 1, true)]   // few pixels: split by OC blocks
    [InlineData(3, 32, 20, 20, 40, 3, 1, 1, true)]  // split by images (2 + 1)
    [InlineData(1, 128, 13, 13, 36, 3, 2, 1, false)]
    [InlineData(1, 20, 40, 37, 24, 1, 2, 0, true)]  // strided 1x1 on rows wide enough for the vector sampler
    [InlineData(2, 64, 33, 34, 16, 1, 2, 0, false)]
    [InlineData(1, 5, 17, 35, 9, 1, 3, 0, true)]
    [InlineData(3, 3, 19, 21, 20, 7, 2, 0, true)]   // tight RGB pixels, no border: kernel rows read past the image
    [InlineData(2, 2, 12, 30, 7, 7, 1, 3, false)]
    [InlineData(3, 1, 9, 17, 5, 3, 1, 0, true)]
    [InlineData(1, 3, 80, 80, 64, 7, 2, 3, true)]   // the stem split over cores by pixel rows
    public void MatchesScalarReference(int n, int c, int h, int w, int oc, int k, int s, int pad, bool relu) =>
        Check(n, c, h, w, oc, k, s, pad, relu, seed: n * 1000 + c * 7 + oc);

    [Property(MaxTest = 40)]
    public bool RandomShapesMatchScalarReference(NonNegativeInt c, NonNegativeInt hw, NonNegativeInt oc, NonNegativeInt geometry, bool relu, int seed)
    {
        int[] kernels = [1, 3, 5, 7];
        int kernel = kernels[geometry.Get % 4], stride = 1 + geometry.Get / 4 % 2, pad = geometry.Get / 8 % (kernel / 2 + 2);
        int h = Math.Max(1, kernel - 2 * pad) + hw.Get % 13, w = Math.Max(1, kernel - 2 * pad) + hw.Get / 13 % 17;
        Check(1 + Math.Abs(seed % 3), 1 + c.Get % 11, h, w, 1 + oc.Get % 37, kernel, stride, pad, relu, seed);
        return true;
    }

    private static void Check(int n, int c, int h, int w, int oc, int k, int s, int pad, bool relu, int seed)
    {
        var rng = new Random(seed);
        var weight = Enumerable.Range(0, oc * c * k * k).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var bias = Enumerable.Range(0, oc).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var node = new ConvNode("x", "y", weight, oc, c, k, s, pad, bias, relu ? Activation.Relu : Activation.None);
        // Inputs partly outside the calibrated range, so the clamping to 0..255 is exercised.
        var x = Enumerable.Range(0, n * c * h * w).Select(_ => (float)(rng.NextDouble() * 5 - 2)).ToArray();
        var range = ActivationRange.From(-1.5f, 2.5f);
        int oh = node.OutSize(h), ow = node.OutSize(w);
        var expected = Reference(node, range, x, n, h, w, oh, ow);
        foreach (bool vnni in new[] { false, true })
        {
            if (vnni && !Int8DirectConv.VnniAvailable) continue;
            var y = Run(new Int8ConvExecutor(node, range, vnni), x, n, h, w, oh, ow);
            for (int i = 0; i < y.Length; i++)
                Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(y[i]),
                    $"vnni={vnni} n={n} c={c} {h}x{w} oc={oc} k{k} s{s} p{pad}: y[{i}] = {y[i]:R}, expected {expected[i]:R}");
        }
    }

    private static unsafe float[] Run(Int8ConvExecutor executor, float[] x, int n, int h, int w, int oh, int ow)
    {
        var y = Enumerable.Repeat(float.NaN, n * executor.Node.OutChannels * oh * ow).ToArray();
        fixed (float* xp = x) fixed (float* yp = y)
        {
            executor.Execute(xp, n, h, w, yp, oh, ow);
            executor.Execute(xp, n, h, w, yp, oh, ow); // a second call reuses the input buffer: the same result
        }
        return y;
    }

    /// <summary>Quantize, convolve in integers (padding reads the zero point), dequantize: the textbook loops.</summary>
    private static float[] Reference(ConvNode node, ActivationRange range, float[] x, int n, int h, int w, int oh, int ow)
    {
        var qw = QuantizedWeights.Quantize(node);
        int c = node.InChannels, k = node.Kernel, zp = range.ZeroPoint;
        float invScale = 1f / range.Scale;
        var q = x.Select(v => Math.Clamp((int)MathF.Round(v * invScale) + zp, 0, 255)).ToArray();
        var y = new float[n * node.OutChannels * oh * ow];
        for (int img = 0; img < n; img++)
            for (int o = 0; o < node.OutChannels; o++)
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++)
                    {
                        int acc = 0;
                        for (int ci = 0; ci < c; ci++)
                            for (int ki = 0; ki < k; ki++)
                                for (int kj = 0; kj < k; kj++)
                                {
                                    int iy = oy * node.Stride - node.Padding + ki, ix = ox * node.Stride - node.Padding + kj;
                                    int v = iy >= 0 && iy < h && ix >= 0 && ix < w ? q[((img * c + ci) * h + iy) * w + ix] : zp;
                                    acc += qw.Values[((o * c + ci) * k + ki) * k + kj] * v;
                                }
                        float scale = qw.Scales[o] * range.Scale;
                        float r = scale * (acc - qw.RowSums[o] * zp) + node.Bias[o];
                        y[((img * node.OutChannels + o) * oh + oy) * ow + ox] = node.Activation == Activation.Relu && r < 0 ? 0 : r;
                    }
        return y;
    }
}
