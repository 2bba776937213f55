using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Lfm2Vl.Benchmarks.Reporting;

/// <summary>
/// Global configurations. The default job runs each benchmark in its own process with fixed counts (3 warm-up and
/// 10 measured iterations of at least 0.5 s), so the whole suite's length is predictable; --quick runs in-process
/// with 2 warm-up and 5 iterations. Model benchmarks shorten either further (<see cref="Models.ModelBenchmarkConfig"/>).
/// </summary>
public static class BenchmarkConfigs
{
    public static IConfig For(bool quick)
    {
        // One summary per class: the kernel and model tables have different parameters and columns.
        var config = DefaultConfig.Instance;
        if (!quick)
            return config.AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(10).WithId("Standard").AsDefault());
        // In-process (no per-run project build), few iterations: enough to rank kernels and read GFLOP/s to ~5%.
        var job = Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(2)
            .WithIterationCount(5)
            .WithId("Quick");
        return config.AddJob(job);
    }
}
