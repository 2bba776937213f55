using Lfm2Vl.Deploy.Kernels;
using Lfm2Vl.Engine;
using Xunit;

namespace Lfm2Vl.Deploy.Tests;

/// <summary>The pooling kernels against a plain scalar loop, at sizes that hit every vector path and tail.</summary>
public unsafe class PoolKernelTests
{
    private static float[] Reference(float[] x, int planes, int h, int w, int kernel, int stride, int pad, int oh, int ow)
    {
        var y = new float[planes * oh * ow];
        for (int p = 0; p < planes; p++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                {
                    float m = float.NegativeInfinity;
                    for (int ky = 0; ky < kernel; ky++)
                        for (int kx = 0; kx < kernel; kx++)
                        {
                            int iy = oy * stride - pad + ky, ix = ox * stride - pad + kx;
                            if (iy >= 0 && iy < h && ix >= 0 && ix < w) m = MathF.Max(m, x[(p * h + iy) * w + ix]);
                        }
                    y[(p * oh + oy) * ow + ox] = m;
                }
        return y;
    }

    [Theory]
    [InlineData(3, 16, 16, 2, 2, 0)]    // 8 outputs a row: the 8-wide path alone
    [InlineData(5, 8, 8, 2, 2, 0)]      // 4 a row: the 4-wide path alone
    [InlineData(4, 7, 6, 2, 2, 0)]      // 3 a row: scalar only, odd height
    [InlineData(3, 9, 30, 2, 2, 0)]     // 15 a row: 8 + 4 + 3
    [InlineData(2, 17, 50, 2, 2, 0)]    // 25 a row: 16 + 8 + 1 tail, odd height
    [InlineData(7, 64, 64, 2, 2, 0)]    // 32 a row: two 16-wide steps
    [InlineData(300, 16, 16, 2, 2, 0)]  // enough planes to split over the cores
    [InlineData(3, 15, 13, 3, 2, 1)]    // ResNet's stem pool, under 16 outputs a row: one partial vector
    [InlineData(64, 112, 112, 3, 2, 1)] // the stem pool itself (56 a row: 16 * 3 + partial), split over the cores
    [InlineData(2, 33, 65, 3, 2, 1)]    // odd sizes: 33 outputs a row, the last window clipped by the padding
    [InlineData(2, 34, 66, 3, 2, 1)]    // even sizes: the last window reads the right padding
    [InlineData(3, 21, 40, 3, 2, 0)]    // stride-2 vector path without padding
    [InlineData(2, 19, 37, 2, 2, 1)]    // 2x2 with padding: the stride-2 vector path, not the 2x2 one
    [InlineData(2, 20, 41, 5, 2, 2)]    // a wider window
    [InlineData(3, 9, 11, 3, 1, 1)]     // stride 1: the scalar path
    [InlineData(2, 13, 17, 3, 3, 0)]    // stride 3: the scalar path
    public void MaxPoolEqualsTheScalarReference(int planes, int h, int w, int kernel, int stride, int pad)
    {
        int oh = (h + 2 * pad - kernel) / stride + 1, ow = (w + 2 * pad - kernel) / stride + 1;
        var x = Tensor.Randn([planes * h * w], new Generator((ulong)(planes * 1000 + h * 10 + w))).ToArray<float>();
        Assert.Equal(Reference(x, planes, h, w, kernel, stride, pad, oh, ow), MaxPool(x, planes, h, w, kernel, stride, pad, oh, ow));
    }

    [Theory]
    [InlineData(2, 16, 16, 2, 2, 0)]
    [InlineData(2, 9, 30, 2, 2, 0)]
    [InlineData(2, 35, 70, 3, 2, 1)]
    [InlineData(2, 9, 11, 3, 1, 1)]
    public void MaxPoolPropagatesNaNAndIgnoresPaddingForAllNegativeInputs(int planes, int h, int w, int kernel, int stride, int pad)
    {
        // All inputs negative (padding must not win as a zero), with NaNs scattered: a window holding one gives NaN.
        int oh = (h + 2 * pad - kernel) / stride + 1, ow = (w + 2 * pad - kernel) / stride + 1;
        var x = Tensor.Rand([planes * h * w], new Generator(7), -5, -1).ToArray<float>();
        for (int i = 3; i < x.Length; i += 37) x[i] = float.NaN;
        var expected = Reference(x, planes, h, w, kernel, stride, pad, oh, ow);
        Assert.Contains(expected, float.IsNaN);
        Assert.Equal(expected, MaxPool(x, planes, h, w, kernel, stride, pad, oh, ow));
    }

    private static float[] MaxPool(float[] x, int planes, int h, int w, int kernel, int stride, int pad, int oh, int ow)
    {
        var y = new float[planes * oh * ow];
        fixed (float* xp = x) fixed (float* yp = y) PoolKernels.MaxPool(xp, planes, h, w, kernel, stride, pad, oh, ow, yp);
        return y;
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(37, true)]
    [InlineData(4096 + 17, true)]        // one chunk and a tail
    [InlineData(64 * 56 * 56, true)]     // ResNet's first residual add: split over the cores
    [InlineData(64 * 56 * 56 + 5, false)]
    public void AddEqualsTheScalarReference(int length, bool relu)
    {
        var a = Tensor.Randn([length], new Generator(1)).ToArray<float>();
        var b = Tensor.Randn([length], new Generator(2)).ToArray<float>();
        a[0] = float.NaN;
        var expected = a.Zip(b, (p, q) => relu ? MathF.Max(p + q, 0f) : p + q).ToArray();
        var y = new float[length];
        fixed (float* ap = a) fixed (float* bp = b) fixed (float* yp = y) PoolKernels.Add(ap, bp, yp, length, relu);
        Assert.Equal(expected, y);
        // In place into the first operand, as a planner reusing buffers would do.
        fixed (float* ap = a) fixed (float* bp = b) PoolKernels.Add(ap, bp, ap, length, relu);
        Assert.Equal(expected, a);
    }

    [Theory]
    [InlineData(3, 1)]
    [InlineData(512, 49)]
    [InlineData(5, 33)]
    public void GlobalAvgPoolIsThePlaneMean(int planes, int area)
    {
        var x = Tensor.Randn([planes * area], new Generator(3)).ToArray<float>();
        var y = new float[planes];
        fixed (float* xp = x) fixed (float* yp = y) PoolKernels.GlobalAvgPool(xp, planes, area, yp);
        for (int p = 0; p < planes; p++)
            Assert.Equal(x.Skip(p * area).Take(area).Select(v => (double)v).Average(), y[p], 1e-5);
    }
}
