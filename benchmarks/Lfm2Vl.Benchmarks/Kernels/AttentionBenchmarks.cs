using BenchmarkDotNet.Attributes;
using Lfm2Vl.Benchmarks.Reporting;
using Lfm2Vl.Engine;

namespace Lfm2Vl.Benchmarks.Kernels;

/// <summary>
/// One attention case, q, k, v all [Batch, Heads, L, D]. Flops count the matrix products only: 2 in the forward
/// (Q K^T, P V), 4 more in the backward (dV, dP, dQ, dK; the recomputed Q K^T is not counted).
/// </summary>
public sealed record AttentionCase(int Batch, int Heads, int L, int D, bool Backward, string Name)
    : IFlopCount, IComparable<AttentionCase>, IComparable
{
    public double Flops => (Backward ? 6.0 : 2.0) * 2.0 * Batch * Heads * L * L * D;

    public int CompareTo(AttentionCase? other) => other is null ? 1 : string.CompareOrdinal(ToString(), other.ToString());
    public int CompareTo(object? obj) => CompareTo(obj as AttentionCase);

    public override string ToString() => $"{Name} B{Batch} H{Heads} L{L} D{D} {(Backward ? "fwd+bwd" : "fwd")}";
}

/// <summary>Functional.ScaledDotProductAttention on the CPU backend at ViT-Ti/16 shapes (197 tokens, 3 heads of 64).</summary>
[Config(typeof(Config))]
[MemoryDiagnoser]
public class AttentionBenchmarks
{
    private sealed class Config : BenchmarkDotNet.Configs.ManualConfig
    {
        public Config()
        {
            AddColumn(GflopsColumn.Gflops, GflopsColumn.PercentOfPeak);
            WithSummaryStyle(BenchmarkDotNet.Reports.SummaryStyle.Default.WithMaxParameterColumnWidth(50));
            WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared));
        }
    }

    public static IEnumerable<AttentionCase> Cases() =>
        new[] { false, true }.SelectMany(backward => new AttentionCase[]
        {
            new(8, 3, 197, 64, backward, "vit-ti"),
            new(1, 3, 197, 64, backward, "vit-ti"),
        });

    [ParamsSource(nameof(Cases))]
    public AttentionCase Case { get; set; } = new(1, 1, 1, 1, false, "unset");

    private Tensor _q = null!, _k = null!, _v = null!, _go = null!;

    [GlobalSetup]
    public void Setup()
    {
        var gen = new Generator(42);
        int[] shape = [Case.Batch, Case.Heads, Case.L, Case.D];
        _q = Tensor.Randn(shape, gen).Persist();
        _k = Tensor.Randn(shape, gen).Persist();
        _v = Tensor.Randn(shape, gen).Persist();
        _go = Tensor.Randn(shape, gen).Persist();
        if (Case.Backward) { _q.RequireGrad(); _k.RequireGrad(); _v.RequireGrad(); }
    }

    [Benchmark(Description = "attention")]
    public void Attention()
    {
        using var scope = TensorScope.Begin();
        if (!Case.Backward)
        {
            using var noGrad = GradMode.NoGrad();
            Functional.ScaledDotProductAttention(_q, _k, _v);
            return;
        }
        var y = Functional.ScaledDotProductAttention(_q, _k, _v);
        y.Backward(_go);
        _q.ZeroGrad(); _k.ZeroGrad(); _v.ZeroGrad();
    }
}
