using BenchmarkDotNet.Attributes;
using Lfm2Vl.Benchmarks.Reporting;

namespace Lfm2Vl.Benchmarks.Models;

/// <summary>
/// One training step (forward, cross-entropy, backward, AdamW step, inside a TensorScope) of the three models at
/// the batch sizes of issue #9: small CNN 64x64 batch 64, ResNet-18 224x224 batch 32, ViT-Ti/16 224 batch 8.
/// Allocated is managed memory per step: tensor storage comes from a pool, so it counts only bookkeeping objects.
/// </summary>
[Config(typeof(ModelBenchmarkConfig))]
public class ModelTrainingBenchmarks
{
    public static IEnumerable<ModelCase> Cases() => ModelCase.Training();

    [ParamsSource(nameof(Cases))]
    public ModelCase Case { get; set; } = ModelCase.SmallCnn(1);

    private ModelWorkload _workload = null!;

    [GlobalSetup]
    public void Setup()
    {
        EnginePool.Reset();
        _workload = new ModelWorkload(Case);
        _workload.TrainStep(); // creates the optimizer state, so the measured steps are steady-state ones
    }

    [Benchmark(Description = "train step")]
    public double TrainStep() => _workload.TrainStep();

    [GlobalCleanup]
    public void Cleanup()
    {
        _workload.Dispose();
        EnginePool.Reset();
    }
}
