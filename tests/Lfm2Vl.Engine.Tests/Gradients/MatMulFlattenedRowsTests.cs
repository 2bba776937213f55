using Xunit;

namespace Lfm2Vl.Engine.Tests.Gradients;

/// <summary>
/// [B, T, K] @ [K, N] runs as one GEMM over the B*T flattened rows: its output and both gradients must equal
/// those of the per-item 2-D products (the weight gradient summed over the batch), in float64.
/// </summary>
public class MatMulFlattenedRowsTests
{
    [Theory]
    [InlineData(3, 5, 4, 6)]
    [InlineData(2, 7, 9, 1)]
    public void MatchesPerItemProducts(int batch, int rows, int k, int n)
    {
        var gen = new Generator(11);
        var a = Tensor.Randn([batch, rows, k], gen, dtype: DType.Float64).RequireGrad();
        var w = Tensor.Randn([n, k], gen, dtype: DType.Float64).RequireGrad();
        var dy = Tensor.Randn([batch, rows, n], gen, dtype: DType.Float64);
        var y = Tensor.MatMul(a, w.T);
        y.Backward(dy);
        var ga = a.Grad!.ToDoubleArray(); var gw = w.Grad!.ToDoubleArray(); var ys = y.ToDoubleArray();

        var a2 = a.Detach().RequireGrad(); var w2 = w.Detach().RequireGrad();
        var parts = Enumerable.Range(0, batch).Select(i => Tensor.MatMul(a2.Select(0, i), w2.T).Unsqueeze(0)).ToArray();
        var y2 = Tensor.Concat(parts, 0);
        y2.Backward(dy);

        Assert.Equal([batch, rows, n], y.Shape);
        AssertClose(y2.ToDoubleArray(), ys);
        AssertClose(a2.Grad!.ToDoubleArray(), ga);
        AssertClose(w2.Grad!.ToDoubleArray(), gw);
    }

    private static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-10);
    }
}
