using Lfm2Vl.Engine.Backends.Cpu;
using Lfm2Vl.Tests.Shared;
using Xunit;

namespace Lfm2Vl.Engine.Tests.Cpu;

/// <summary>
/// The CPU convolution paths (column-tiled im2col GEMM, transposed-conv input gradient, fold input gradient,
/// direct depthwise kernels) against a direct float64 definition of the output and of the exact gradients of
/// sum(y * r), at shapes that are not multiples of the tile or vector widths; plus float64 central differences
/// through GradCheck for the new paths.
/// </summary>
public class ConvPathTests
{
    private sealed record Case(int N, int C, int H, int W, int OC, int KH, int KW, int SH, int SW, int PH, int PW, int DH, int DW, int G)
    {
        public Conv2dParams Params => new(SH, SW, PH, PW, DH, DW, G);
        public int OH => Params.OutH(H, KH);
        public int OW => Params.OutW(W, KW);
        public Tensor Conv(Tensor x, Tensor w, Tensor? b) => Functional.Conv2d(x, w, b, (SH, SW), (PH, PW), (DH, DW), G);
    }

    /// <summary>y = conv(x, w) + b and, for L = sum(y * r), dL/dx and dL/dw, by the six-loop definition.</summary>
    private static (double[] Y, double[] Dx, double[] Dw) Direct(Case k, double[] x, double[] w, double[] b, double[] r)
    {
        int cg = k.C / k.G, ocg = k.OC / k.G, oh = k.OH, ow = k.OW;
        var y = new double[k.N * k.OC * oh * ow];
        var dx = new double[x.Length];
        var dw = new double[w.Length];
        for (int n = 0; n < k.N; n++)
            for (int o = 0; o < k.OC; o++)
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++)
                    {
                        int yi = ((n * k.OC + o) * oh + oy) * ow + ox;
                        double acc = b[o];
                        for (int ci = 0; ci < cg; ci++)
                            for (int ki = 0; ki < k.KH; ki++)
                                for (int kj = 0; kj < k.KW; kj++)
                                {
                                    int iy = oy * k.SH - k.PH + ki * k.DH, ix = ox * k.SW - k.PW + kj * k.DW;
                                    if (iy < 0 || iy >= k.H || ix < 0 || ix >= k.W) continue;
                                    int xi = ((n * k.C + o / ocg * cg + ci) * k.H + iy) * k.W + ix;
                                    int wi = ((o * cg + ci) * k.KH + ki) * k.KW + kj;
                                    acc += x[xi] * w[wi];
                                    dx[xi] += r[yi] * w[wi];
                                    dw[wi] += r[yi] * x[xi];
                                }
                        y[yi] = acc;
                    }
        return (y, dx, dw);
    }

    public static IEnumerable<object[]> Cases => new int[][]
    {
        // N, C, H, W, OC, KH, KW, SH, SW, PH, PW, DH, DW, G, tile width (0: automatic)
        [2, 9, 7, 6, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 5],     // transposed dx path (Cg >= 8), ragged tiles of 5
        [1, 8, 9, 11, 10, 3, 2, 1, 1, 2, 1, 2, 1, 1, 7],   // batch 1, dilation, asymmetric kernel and padding
        [2, 16, 5, 7, 6, 3, 3, 1, 1, 0, 2, 1, 1, 2, 3],    // groups, Cg = 8, width padding only
        [3, 4, 9, 8, 6, 3, 3, 2, 1, 1, 1, 1, 1, 2, 11],    // stride: fold dx path across tiles
        [1, 3, 10, 9, 4, 5, 3, 2, 3, 2, 0, 1, 2, 1, 4],    // 5x3, strides 2/3, dilation in width
        [2, 12, 6, 5, 7, 1, 1, 1, 1, 0, 0, 1, 1, 1, 4],    // pointwise: input plane read in place, tiled
        [1, 9, 4, 4, 3, 3, 3, 1, 1, 3, 3, 1, 1, 1, 0],     // padding beyond the kernel: fold dx path
        [2, 6, 13, 11, 6, 3, 3, 1, 1, 1, 1, 1, 1, 6, 0],   // depthwise, stride 1: gathered dx
        [1, 5, 12, 21, 10, 3, 3, 1, 1, 1, 1, 1, 1, 5, 0],  // depthwise, multiplier 2: scattered dx
        [2, 4, 11, 10, 4, 3, 5, 2, 2, 1, 2, 1, 1, 4, 0],   // depthwise, stride 2
        [1, 3, 9, 19, 3, 3, 3, 1, 1, 2, 3, 2, 2, 3, 0],    // depthwise, dilation 2, SIMD rows with tails
        [1, 4, 6, 6, 4, 3, 3, 1, 1, 3, 3, 1, 1, 4, 0],     // depthwise, padding beyond the kernel
    }.Select(c => c.Cast<object>().ToArray());

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float64MatchesTheDirectDefinition(int n, int c, int h, int w, int oc, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw, int g, int tile)
    {
        var k = new Case(n, c, h, w, oc, kh, kw, sh, sw, ph, pw, dh, dw, g);
        CheckAgainstDirect(k, DType.Float64, tile, 1e-10);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float32MatchesTheDirectDefinition(int n, int c, int h, int w, int oc, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw, int g, int tile)
    {
        var k = new Case(n, c, h, w, oc, kh, kw, sh, sw, ph, pw, dh, dw, g);
        CheckAgainstDirect(k, DType.Float32, tile, 2e-4);
    }

    [Fact]
    public void Float32SeveralAutomaticTilesPerImage()
    {
        // K = 16 * 9 = 144 gives tiles of at most 896 columns, so 40 x 40 outputs split into 2 tiles of 800.
        CheckAgainstDirect(new Case(2, 16, 40, 40, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1), DType.Float32, 0, 2e-4);
    }

    private static void CheckAgainstDirect(Case k, DType dtype, int tileWidth, double tol)
    {
        var gen = new Generator(7);
        var x = Tensor.Randn([k.N, k.C, k.H, k.W], gen, dtype: dtype).RequireGrad();
        var w = Tensor.Randn([k.OC, k.C / k.G, k.KH, k.KW], gen, dtype: dtype).RequireGrad();
        var b = Tensor.Randn([k.OC], gen, dtype: dtype).RequireGrad();
        var r = Tensor.Randn([k.N, k.OC, k.OH, k.OW], gen, dtype: dtype);
        CpuBackend.t_convTileWidthOverride = tileWidth;
        try
        {
            var y = k.Conv(x, w, b);
            (y * r).Sum().Backward();
            var (ey, edx, edw) = Direct(k, x.ToDoubleArray(), w.ToDoubleArray(), b.ToDoubleArray(), r.ToDoubleArray());
            AssertClose(ey, y.ToDoubleArray(), tol, "y");
            AssertClose(edx, x.Grad!.ToDoubleArray(), tol, "dx");
            AssertClose(edw, w.Grad!.ToDoubleArray(), tol, "dw");
        }
        finally { CpuBackend.t_convTileWidthOverride = 0; }
    }

    private static void AssertClose(double[] expected, double[] actual, double tol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (Math.Abs(expected[i] - actual[i]) > tol * Math.Max(1, Math.Abs(expected[i])))
                Assert.Fail($"{what}[{i}]: expected {expected[i]}, got {actual[i]}");
    }

    [Theory]
    [InlineData(1, 8, 5, 4, 3, 3, 1, 1, 1, 3)]    // tiled forward, transposed dx, tiles of 3
    [InlineData(2, 3, 6, 5, 6, 3, 2, 1, 1, 0)]    // depthwise with multiplier 2, stride 2
    [InlineData(1, 4, 5, 7, 4, 3, 1, 2, 4, 0)]    // depthwise, padding 2 = kernel extent: gathered dx
    public void GradientsMatchCentralDifferences(int n, int c, int h, int w, int oc, int k, int s, int p, int groups, int tile)
    {
        var gen = new Generator(11);
        var x = Tensor.Randn([n, c, h, w], gen, dtype: DType.Float64);
        var wt = Tensor.Randn([oc, c / groups, k, k], gen, dtype: DType.Float64);
        var b = Tensor.Randn([oc], gen, dtype: DType.Float64);
        CpuBackend.t_convTileWidthOverride = tile;
        try { GradCheck.Assert(xs => Functional.Conv2d(xs[0], xs[1], xs[2], s, p, 1, groups), x, wt, b); }
        finally { CpuBackend.t_convTileWidthOverride = 0; }
    }
}
