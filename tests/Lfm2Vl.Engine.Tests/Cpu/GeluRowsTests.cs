using Lfm2Vl.Engine.Backends.Cpu;
using Xunit;

namespace Lfm2Vl.Engine.Tests.Cpu;

/// <summary>
/// The SIMD float GELU rows against the scalar definitions (ScalarMath) element by element, on lengths that
/// leave vector tails and span several backward chunks, with large, tiny and NaN inputs; and the float32
/// GELU op against the float64 one.
/// </summary>
public class GeluRowsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(37)]
    [InlineData(1301)]
    public void VectorRowsMatchScalarDefinitions(int n)
    {
        var rnd = new Random(n);
        var x = Enumerable.Range(0, n).Select(_ => (float)(rnd.NextDouble() * 16 - 8)).ToArray();
        var g = Enumerable.Range(0, n).Select(_ => (float)(rnd.NextDouble() * 2 - 1)).ToArray();
        if (n > 3) { x[0] = 1e-30f; x[1] = 40f; x[2] = float.NaN; x[3] = -40f; }
        var y = new float[n]; var dx = new float[n];
        GeluRows.Forward(x, y);
        GeluRows.Backward(g, x, dx);
        for (int i = 0; i < n; i++)
        {
            float ey = ScalarMath.Unary(UnaryOp.GeluErf, x[i], 0f, 0f);
            float ed = ScalarMath.Binary(BinaryOp.GeluErfGrad, g[i], x[i], 0f, 0f);
            Assert.Equal(float.IsNaN(ey), float.IsNaN(y[i]));
            Assert.Equal(float.IsNaN(ed), float.IsNaN(dx[i]));
            if (!float.IsNaN(ey)) Assert.True(Math.Abs(ey - y[i]) <= 1e-6f * (1 + Math.Abs(ey)), $"y[{i}] at {x[i]}: {y[i]} vs {ey}");
            if (!float.IsNaN(ed)) Assert.True(Math.Abs(ed - dx[i]) <= 1e-6f * (1 + Math.Abs(ed)), $"dx[{i}] at {x[i]}: {dx[i]} vs {ed}");
        }
    }

    [Fact]
    public void Float32OpMatchesFloat64()
    {
        var gen = new Generator(3);
        var x64 = Tensor.Randn([4, 333], gen, std: 3, dtype: DType.Float64).RequireGrad();
        var x32 = x64.Detach().To(DType.Float32).RequireGrad();
        var dy = Tensor.Randn([4, 333], gen, dtype: DType.Float64);
        x64.Gelu().Backward(dy);
        x32.Gelu().Backward(dy.To(DType.Float32));
        var y64 = x64.Detach().Gelu().ToDoubleArray(); var y32 = x32.Detach().Gelu().ToDoubleArray();
        var g64 = x64.Grad!.ToDoubleArray(); var g32 = x32.Grad!.ToDoubleArray();
        for (int i = 0; i < y64.Length; i++)
        {
            Assert.Equal(y64[i], y32[i], 1e-5);
            Assert.Equal(g64[i], g32[i], 1e-5);
        }
    }
}
