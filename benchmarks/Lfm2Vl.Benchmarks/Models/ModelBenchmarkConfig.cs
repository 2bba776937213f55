using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Order;
using BenchmarkDotNet.Reports;
using Lfm2Vl.Benchmarks.Reporting;

namespace Lfm2Vl.Benchmarks.Models;

/// <summary>
/// Model benchmarks: an images/s column, allocations per step (MemoryDiagnoser), and few iterations, because a
/// ResNet-18 or ViT-Ti training step takes seconds on two cores. The job is a mutator: it shortens whatever job
/// the run uses (the suite's default one or --quick's in-process one) instead of adding a second job.
/// </summary>
public sealed class ModelBenchmarkConfig : ManualConfig
{
    public ModelBenchmarkConfig()
    {
        AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(3).AsMutator());
        AddColumn(ImagesPerSecondColumn.Instance);
        AddDiagnoser(BenchmarkDotNet.Diagnosers.MemoryDiagnoser.Default);
        WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(40));
        WithOrderer(new DefaultOrderer(SummaryOrderPolicy.Declared));
    }
}
