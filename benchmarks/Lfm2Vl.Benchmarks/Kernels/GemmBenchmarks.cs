using BenchmarkDotNet.Attributes;
using Lfm2Vl.Benchmarks.Reporting;
using Lfm2Vl.Engine.Backends.Cpu;

namespace Lfm2Vl.Benchmarks.Kernels;

/// <summary>
/// Float32 GEMM: the packed micro-kernel path (what Gemm.Run uses) against the reference row-update GEMM, on
/// square sizes and on the im2col shapes of a ResNet-style network (M = out channels, N = output pixels,
/// K = in channels x 3 x 3) including a weight-gradient shape (K = pixels), and a batch-1 matrix-vector product.
/// Row-major A, B and C, both cores.
/// </summary>
[Config(typeof(Config))]
[MemoryDiagnoser]
public class GemmBenchmarks
{
    private sealed class Config : BenchmarkDotNet.Configs.ManualConfig
    {
        public Config()
        {
            AddColumn(GflopsColumn.Gflops, GflopsColumn.PercentOfPeak);
            WithSummaryStyle(BenchmarkDotNet.Reports.SummaryStyle.Default.WithMaxParameterColumnWidth(40));
            WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared));
        }
    }

    public static IEnumerable<GemmShape> Shapes() =>
    [
        new(256, 256, 256, "square"),
        new(512, 512, 512, "square"),
        new(1024, 1024, 1024, "square"),
        new(2048, 2048, 2048, "square"),
        new(64, 3136, 576, "conv 56x56 64->64"),
        new(128, 784, 1152, "conv 28x28 128->128"),
        new(256, 196, 2304, "conv 14x14 256->256"),
        new(64, 576, 3136, "conv 56x56 dW"),
        new(1, 4096, 4096, "gemv batch 1"),
    ];

    [ParamsSource(nameof(Shapes))]
    public GemmShape Shape { get; set; } = new(1, 1, 1, "unset");

    private float[] _a = [], _b = [], _c = [];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(42);
        _a = new float[Shape.M * Shape.K];
        _b = new float[Shape.K * Shape.N];
        _c = new float[Shape.M * Shape.N];
        for (int i = 0; i < _a.Length; i++) _a[i] = rng.NextSingle() - 0.5f;
        for (int i = 0; i < _b.Length; i++) _b[i] = rng.NextSingle() - 0.5f;
        Console.WriteLine($"// SGEMM micro-kernel: {SgemmPacked.KernelName}");
    }

    [Benchmark(Description = "packed")]
    public void Packed() =>
        SgemmPacked.Run(Shape.M, Shape.N, Shape.K, _a, 0, Shape.K, 1, _b, 0, Shape.N, 1, _c, 0, Shape.N, accumulate: false);

    [Benchmark(Baseline = true, Description = "reference")]
    public void Reference() =>
        Gemm.RunReference(Shape.M, Shape.N, Shape.K, _a, 0, Shape.K, 1, _b, 0, Shape.N, 1, _c, 0, Shape.N, accumulate: false);
}
