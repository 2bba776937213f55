using BenchmarkDotNet.Attributes;
using Lfm2Vl.Benchmarks.Reporting;

namespace Lfm2Vl.Benchmarks.Models;

/// <summary>
/// Inference of the three models (eval mode, no grad, inside a TensorScope) at batch 32 and batch 1, plus the
/// small CNN at batch 64. This is the eager engine path, not the BatchNorm-folded one of Lfm2Vl.Deploy.
/// </summary>
[Config(typeof(ModelBenchmarkConfig))]
public class ModelInferenceBenchmarks
{
    public static IEnumerable<ModelCase> Cases() => ModelCase.Inference();

    [ParamsSource(nameof(Cases))]
    public ModelCase Case { get; set; } = ModelCase.SmallCnn(1);

    private ModelWorkload _workload = null!;

    [GlobalSetup]
    public void Setup()
    {
        EnginePool.Reset();
        _workload = new ModelWorkload(Case);
        _workload.Infer();
    }

    [Benchmark(Description = "inference")]
    public double Infer() => _workload.Infer();

    [GlobalCleanup]
    public void Cleanup()
    {
        _workload.Dispose();
        EnginePool.Reset();
    }
}
