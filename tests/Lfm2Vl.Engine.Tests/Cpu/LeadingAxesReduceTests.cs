using Xunit;

namespace Lfm2Vl.Engine.Tests.Cpu;

/// <summary>
/// Sum/Max/Min over the leading axes of a contiguous tensor (the row-accumulating CPU path, one or several column
/// blocks) against a plain loop over the same data, including a NaN that Max and Min must propagate.
/// </summary>
public class LeadingAxesReduceTests
{
    [Theory]
    [InlineData(3, 5, 7)]         // small: one block
    [InlineData(8, 197, 192)]     // a ViT bias gradient
    [InlineData(4, 100, 1000)]    // several column blocks, ragged last one
    public void MatchesLoop(int a, int b, int c)
    {
        var gen = new Generator(9);
        var x = Tensor.Randn([a, b, c], gen, dtype: DType.Float64);
        var data = x.ToDoubleArray();
        var sum = x.Sum([0, 1]).ToDoubleArray();
        var max = x.Max([0, 1]).ToDoubleArray();
        var min = x.Min([0, 1]).ToDoubleArray();
        for (int k = 0; k < c; k++)
        {
            double s = 0, hi = double.NegativeInfinity, lo = double.PositiveInfinity;
            for (int r = 0; r < a * b; r++) { double v = data[r * c + k]; s += v; hi = Math.Max(hi, v); lo = Math.Min(lo, v); }
            Assert.Equal(s, sum[k], 1e-9);
            Assert.Equal(hi, max[k]);
            Assert.Equal(lo, min[k]);
        }
        var f32 = x.To(DType.Float32).Sum([0, 1]).ToDoubleArray();
        for (int k = 0; k < c; k++) Assert.Equal(sum[k], f32[k], 1e-3);
    }

    [Fact]
    public void MaxAndMinPropagateNaN()
    {
        var values = Enumerable.Range(0, 6 * 4).Select(i => (double)i).ToArray();
        values[13] = double.NaN; // row 3, column 1
        var x = Tensor.FromArray(values, 6, 4);
        var max = x.Max(0).ToDoubleArray(); var min = x.Min(0).ToDoubleArray();
        Assert.True(double.IsNaN(max[1]) && double.IsNaN(min[1]));
        Assert.Equal(20.0, max[0]); Assert.Equal(0.0, min[0]);
    }
}
