using BenchmarkDotNet.Attributes;
using Lfm2Vl.Benchmarks.Reporting;
using Lfm2Vl.Engine;

namespace Lfm2Vl.Benchmarks.Kernels;

/// <summary>
/// One conv2d case: NCHW input [N, C, H, H], OC outputs, a KxK kernel; forward alone or forward plus the input and
/// weight gradients (3x the forward flops; the bias gradient is not counted).
/// </summary>
public sealed record ConvCase(int N, int C, int OC, int H, int K, int Stride, int Pad, int Groups, bool Backward, string Name)
    : IFlopCount, IComparable<ConvCase>, IComparable
{
    public int OH => (H + 2 * Pad - K) / Stride + 1;
    public double Flops => (Backward ? 3.0 : 1.0) * 2.0 * N * OC * (C / Groups) * K * K * OH * OH;

    public int CompareTo(ConvCase? other) => other is null ? 1 : string.CompareOrdinal(ToString(), other.ToString());
    public int CompareTo(object? obj) => CompareTo(obj as ConvCase);

    public override string ToString() => $"{Name} N{N} {C}->{OC} {H}x{H} k{K}s{Stride}{(Groups > 1 ? $" g{Groups}" : "")} {(Backward ? "fwd+bwd" : "fwd")}";
}

/// <summary>
/// Functional.Conv2d on the CPU backend through the public API (with bias, as a layer runs it): the ResNet-style
/// 3x3 shape the issue compares with oneDNN (forward 190-210 GFLOP/s, forward+backward 260-283 on this machine),
/// batch 1, a strided and a pointwise conv, and a depthwise conv (direct kernels; memory-bound, so low GFLOP/s).
/// </summary>
[Config(typeof(Config))]
[MemoryDiagnoser]
public class ConvBenchmarks
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

    public static IEnumerable<ConvCase> Cases() =>
        new[] { false, true }.SelectMany(backward => new ConvCase[]
        {
            new(32, 64, 64, 56, 3, 1, 1, 1, backward, "resnet 3x3"),
            new(1, 64, 64, 56, 3, 1, 1, 1, backward, "resnet 3x3"),
            new(32, 64, 128, 56, 3, 2, 1, 1, backward, "downsample 3x3"),
            new(32, 64, 256, 56, 1, 1, 0, 1, backward, "pointwise"),
            new(32, 64, 64, 56, 3, 1, 1, 64, backward, "depthwise 3x3"),
        });

    [ParamsSource(nameof(Cases))]
    public ConvCase Case { get; set; } = new(1, 1, 1, 1, 1, 1, 0, 1, false, "unset");

    private Tensor _x = null!, _w = null!, _b = null!, _gy = null!;

    [GlobalSetup]
    public void Setup()
    {
        var gen = new Generator(42);
        _x = Tensor.Randn([Case.N, Case.C, Case.H, Case.H], gen).Persist();
        _w = Tensor.Randn([Case.OC, Case.C / Case.Groups, Case.K, Case.K], gen).Persist();
        _b = Tensor.Randn([Case.OC], gen).Persist();
        _gy = Tensor.Randn([Case.N, Case.OC, Case.OH, Case.OH], gen).Persist();
        if (Case.Backward) { _x.RequireGrad(); _w.RequireGrad(); _b.RequireGrad(); }
    }

    [Benchmark(Description = "conv2d")]
    public void Conv()
    {
        using var scope = TensorScope.Begin();
        if (!Case.Backward)
        {
            using var noGrad = GradMode.NoGrad();
            Functional.Conv2d(_x, _w, _b, Case.Stride, Case.Pad, 1, Case.Groups);
            return;
        }
        var y = Functional.Conv2d(_x, _w, _b, Case.Stride, Case.Pad, 1, Case.Groups);
        y.Backward(_gy);
        _x.ZeroGrad(); _w.ZeroGrad(); _b.ZeroGrad();
    }
}
