using Lfm2Vl.Benchmarks.Models;
using Lfm2Vl.Engine;

namespace Lfm2Vl.Benchmarks.Table;

/// <summary>
/// The workloads of the peers table, built lazily one at a time (a ResNet-18 batch holds a lot of memory):
/// SGEMM 1024^3 and 2048^3, conv 3x3 N=32 64->64 56x56, ViT-Ti attention (batch 8, 3 heads, 197 tokens, dim 64),
/// forward and forward+backward, and the three models' training step and inference.
/// Forward+backward counts 3x the forward flops (the input and weight gradients each cost one forward).
/// </summary>
public static class TableWorkloads
{
    /// <summary>Each workload's key and a factory that builds its tensors (so skipped ones cost nothing).</summary>
    public static IEnumerable<(string Key, Func<TableWorkload> Make)> All()
    {
        foreach (int n in new[] { 1024, 2048 }) yield return ($"sgemm {n}^3", () => Sgemm(n));
        yield return (ConvKey(false), () => Conv(backward: false));
        yield return (ConvKey(true), () => Conv(backward: true));
        yield return (AttentionKey(false), () => Attention(backward: false));
        yield return (AttentionKey(true), () => Attention(backward: true));
        foreach (var c in ModelCase.Training()) yield return (ModelKey(c, true), () => Model(c, train: true));
        foreach (var c in ModelCase.Inference()) yield return (ModelKey(c, false), () => Model(c, train: false));
    }

    private static string ConvKey(bool backward) => backward ? "conv3x3 fwd+bwd" : "conv3x3 fwd";
    private static string AttentionKey(bool backward) => backward ? "attention fwd+bwd" : "attention fwd";
    private static string ModelKey(ModelCase c, bool train) => $"{c.Key} {(train ? "train" : "infer")} b{c.Batch}";

    private static TableWorkload Sgemm(int n)
    {
        var gen = new Generator(1);
        var a = Tensor.Randn([n, n], gen).Persist();
        var b = Tensor.Randn([n, n], gen).Persist();
        return new($"sgemm {n}^3", 2.0 * n * n * n, 0, () =>
        {
            using var noGrad = GradMode.NoGrad();
            using var scope = TensorScope.Begin();
            Tensor.MatMul(a, b);
        }, new Owned(a, b));
    }

    private static TableWorkload Conv(bool backward)
    {
        const int n = 32, c = 64, hw = 56;
        var gen = new Generator(2);
        var x = Tensor.Randn([n, c, hw, hw], gen).Persist().RequireGrad(backward);
        var w = (Tensor.Randn([c, c, 3, 3], gen) * 0.05).Persist().RequireGrad(backward);
        var gy = Tensor.Randn([n, c, hw, hw], gen).Persist();
        double flops = 2.0 * n * c * hw * hw * c * 9 * (backward ? 3 : 1);
        return new(ConvKey(backward), flops, 0, () =>
        {
            using var scope = TensorScope.Begin();
            if (!backward)
            {
                using var noGrad = GradMode.NoGrad();
                Functional.Conv2d(x, w, padding: 1);
                return;
            }
            x.ZeroGrad();
            w.ZeroGrad();
            Functional.Conv2d(x, w, padding: 1).Backward(gy);
        }, new Owned(x, w, gy));
    }

    private static TableWorkload Attention(bool backward)
    {
        const int b = 8, h = 3, l = 197, d = 64;
        var gen = new Generator(3);
        var q = Tensor.Randn([b, h, l, d], gen).Persist().RequireGrad(backward);
        var k = Tensor.Randn([b, h, l, d], gen).Persist().RequireGrad(backward);
        var v = Tensor.Randn([b, h, l, d], gen).Persist().RequireGrad(backward);
        var go = Tensor.Randn([b, h, l, d], gen).Persist();
        double flops = 4.0 * b * h * l * l * d * (backward ? 3 : 1);
        return new(AttentionKey(backward), flops, 0, () =>
        {
            using var scope = TensorScope.Begin();
            if (!backward)
            {
                using var noGrad = GradMode.NoGrad();
                Functional.ScaledDotProductAttention(q, k, v);
                return;
            }
            foreach (var t in new[] { q, k, v }) t.ZeroGrad();
            Functional.ScaledDotProductAttention(q, k, v).Backward(go);
        }, new Owned(q, k, v, go));
    }

    private static TableWorkload Model(ModelCase c, bool train)
    {
        var w = new ModelWorkload(c);
        return new(ModelKey(c, train), 0, c.Batch, train ? () => w.TrainStep() : () => w.Infer(), w, w.Model.ParameterCount());
    }

    private sealed class Owned(params Tensor[] tensors) : IDisposable
    {
        public void Dispose()
        {
            foreach (var t in tensors) { t.ZeroGrad(); t.Dispose(); }
        }
    }
}
