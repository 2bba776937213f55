using Xunit;

namespace Lfm2Vl.Engine.Tests.Cpu;

/// <summary>
/// The blocked CPU attention (GEMMs over blocks of query rows) against attention composed from MatMul and
/// Softmax: outputs and q/k/v gradients, with several row blocks (a ragged last one), a single batch item (parallel
/// GEMMs), a mask broadcast over the batch and fully masked rows, which give zero output and zero gradients.
/// </summary>
public class AttentionBlockTests
{
    [Theory]
    [InlineData(1, 300, 290, 7, 5, false)]   // 2 row blocks of 225 and 75, one batch item
    [InlineData(3, 37, 500, 4, 6, true)]     // 131-row blocks: one ragged block, masked rows
    [InlineData(2, 197, 197, 16, 16, true)]  // ViT-like, one block
    public void MatchesComposedAttention(int batch, int lq, int lk, int d, int dv, bool masked)
    {
        foreach (var dtype in new[] { DType.Float64, DType.Float32 })
        {
            var gen = new Generator(5);
            var q = Tensor.Randn([batch, lq, d], gen, dtype: dtype).RequireGrad();
            var k = Tensor.Randn([batch, lk, d], gen, dtype: dtype).RequireGrad();
            var v = Tensor.Randn([batch, lk, dv], gen, dtype: dtype).RequireGrad();
            var r = Tensor.Randn([batch, lq, dv], gen, dtype: dtype);
            // Mask [lq, lk] broadcast over the batch, a quarter of it -inf; rows 0 and lq-1 fully masked.
            Tensor? mask = null;
            double[]? mv = null;
            if (masked)
            {
                mv = new double[lq * lk];
                var rnd = new Random(3);
                for (int i = 0; i < lq; i++)
                    for (int j = 0; j < lk; j++)
                        mv[i * lk + j] = i == 0 || i == lq - 1 || rnd.Next(4) == 0 ? double.NegativeInfinity : rnd.NextDouble() - 0.5;
                mask = Tensor.FromDoubles(mv, [lq, lk], dtype);
            }
            double scale = 0.3;
            var fused = Functional.ScaledDotProductAttention(q, k, v, mask, scale);
            (fused * r).Sum().Backward();
            var (y, gq, gk, gv) = (fused.ToDoubleArray(), q.Grad!.ToDoubleArray(), k.Grad!.ToDoubleArray(), v.Grad!.ToDoubleArray());
            q.ZeroGrad(); k.ZeroGrad(); v.ZeroGrad();

            // Composed reference: fully masked rows are excluded from it (softmax of all -inf is NaN), by
            // replacing their mask by 0 and then zeroing those rows' outputs and their gradient contributions.
            var keep = Tensor.FromDoubles(Enumerable.Range(0, lq).Select(i => masked && (i == 0 || i == lq - 1) ? 0.0 : 1.0).ToArray(), [lq, 1], dtype);
            Tensor? safeMask = mv is null ? null : Tensor.FromDoubles(mv.Select((x, idx) => idx / lk == 0 || idx / lk == lq - 1 ? 0 : x).ToArray(), [lq, lk], dtype);
            var s = Tensor.MatMul(q, k.Transpose(-1, -2)) * scale;
            if (safeMask is not null) s += safeMask;
            var composed = Tensor.MatMul(s.Softmax(-1), v) * keep;
            (composed * r).Sum().Backward();
            double tol = dtype == DType.Float64 ? 1e-10 : 2e-4;
            AssertClose(composed.ToDoubleArray(), y, tol, "y");
            AssertClose(q.Grad!.ToDoubleArray(), gq, tol, "dq");
            AssertClose(k.Grad!.ToDoubleArray(), gk, tol, "dk");
            AssertClose(v.Grad!.ToDoubleArray(), gv, tol, "dv");
        }
    }

    private static void AssertClose(double[] expected, double[] actual, double tol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (!(Math.Abs(expected[i] - actual[i]) <= tol * Math.Max(1, Math.Abs(expected[i]))))
                Assert.Fail($"{what}[{i}]: expected {expected[i]}, got {actual[i]}");
    }
}
