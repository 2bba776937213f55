using Lfm2Vl.Engine.Backends.Cpu;
using Lfm2Vl.Tests.Shared;
using Xunit;

namespace Lfm2Vl.Engine.Tests.Nn;

/// <summary>
/// The LayerNorm primitive: float64 gradient checks (with and without affine parameters, over one and two
/// normalized dims, on a non-contiguous input), the fused CPU rows against LayerNorm composed of element-wise ops,
/// and the CPU kernels against IBackend's composed default (what the ILGPU backend runs).
/// </summary>
public class LayerNormRowsTests
{
    [Theory]
    [InlineData(1, true)]
    [InlineData(2, false)]
    public void GradientsMatchFiniteDifferences(int dims, bool affine)
    {
        var gen = new Generator(21);
        var x = Tensor.Randn([3, 4, 5], gen, dtype: DType.Float64);
        int[] pShape = dims == 1 ? [5] : [4, 5];
        var w = Tensor.Randn(pShape, gen, dtype: DType.Float64);
        var b = Tensor.Randn(pShape, gen, dtype: DType.Float64);
        if (affine) GradCheck.Assert(xs => Functional.LayerNorm(xs[0], dims, xs[1], xs[2], 1e-5), x, w, b);
        else GradCheck.Assert(xs => Functional.LayerNorm(xs[0], dims, eps: 1e-5), x);
    }

    [Fact]
    public void GradientOfTransposedInput()
    {
        var x = Tensor.Randn([6, 4], new Generator(4), dtype: DType.Float64);
        GradCheck.Assert(xs => Functional.LayerNorm(xs[0].T, 1, eps: 1e-5).Square(), x);
    }

    [Theory]
    [InlineData(DType.Float64, 1e-12)]
    [InlineData(DType.Float32, 2e-5)]
    public void MatchesComposedLayerNorm(DType dtype, double tol)
    {
        var gen = new Generator(8);
        var x0 = Tensor.Randn([2, 197, 192], gen, mean: 0.5, std: 2, dtype: dtype);
        var w0 = Tensor.Randn([192], gen, dtype: dtype); var b0 = Tensor.Randn([192], gen, dtype: dtype);
        var dy = Tensor.Randn([2, 197, 192], gen, dtype: dtype);

        var x = x0.Detach().RequireGrad(); var w = w0.Detach().RequireGrad(); var b = b0.Detach().RequireGrad();
        var y = Functional.LayerNorm(x, 1, w, b, 1e-6);
        y.Backward(dy);

        var xc = x0.Detach().RequireGrad(); var wc = w0.Detach().RequireGrad(); var bc = b0.Detach().RequireGrad();
        var mean = xc.Mean([2], keepDim: true);
        var centered = xc - mean;
        var yc = centered * (centered.Square().Mean([2], keepDim: true) + 1e-6).Rsqrt() * wc + bc;
        yc.Backward(dy);

        AssertClose(yc, y, tol);
        AssertClose(xc.Grad!, x.Grad!, tol);
        AssertClose(wc.Grad!, w.Grad!, tol * 10);
        AssertClose(bc.Grad!, b.Grad!, tol * 10);
    }

    [Theory]
    [InlineData(DType.Float64, 1e-12)]
    [InlineData(DType.Float32, 1e-5)]
    public void CpuKernelsMatchComposedDefault(DType dtype, double tol)
    {
        var cpu = (CpuBackend)Tensor.Zeros([1]).Backend;
        var gen = new Generator(13);
        var x = Tensor.Randn([37, 50], gen, mean: -1, std: 3, dtype: dtype);
        var gy = Tensor.Randn([37, 50], gen, dtype: dtype);
        Tensor[] Run(bool fused)
        {
            var y = Tensor.Zeros([37, 50], dtype: dtype); var m = Tensor.Zeros([37], dtype: dtype);
            var s = Tensor.Zeros([37], dtype: dtype); var dx = Tensor.Zeros([37, 50], dtype: dtype);
            if (fused) { cpu.LayerNorm(x.View, y.View, m.View, s.View, 1e-5); cpu.LayerNormBackward(x.View, m.View, s.View, gy.View, dx.View); }
            else { ComposedLayerNorm.Forward(cpu, x.View, y.View, m.View, s.View, 1e-5); ComposedLayerNorm.Backward(cpu, x.View, m.View, s.View, gy.View, dx.View); }
            return [y, m, s, dx];
        }
        var a = Run(true); var c = Run(false);
        for (int i = 0; i < a.Length; i++) AssertClose(c[i], a[i], tol);
    }

    private static void AssertClose(Tensor expected, Tensor actual, double tol)
    {
        var e = expected.ToDoubleArray(); var a = actual.ToDoubleArray();
        Assert.Equal(e.Length, a.Length);
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - a[i]) <= tol * (1 + Math.Abs(e[i])), $"[{i}] {a[i]} vs {e[i]}");
    }
}
