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
    [InlineData(3, 15, 13, 3, 2, 1)]    // the generic path (ResNet's stem pool)
    public void MaxPoolEqualsTheScalarReference(int planes, int h, int w, int kernel, int stride, int pad)
    {
        int oh = (h + 2 * pad - kernel) / stride + 1, ow = (w + 2 * pad - kernel) / stride + 1;
        var x = Tensor.Randn([planes * h * w], new Generator((ulong)(planes * 1000 + h * 10 + w))).ToArray<float>();
        var y = new float[planes * oh * ow];
        fixed (float* xp = x) fixed (float* yp = y) PoolKernels.MaxPool(xp, planes, h, w, kernel, stride, pad, oh, ow, yp);
        Assert.Equal(Reference(x, planes, h, w, kernel, stride, pad, oh, ow), y);
    }
}
