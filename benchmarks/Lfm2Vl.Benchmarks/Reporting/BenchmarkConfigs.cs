using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Lfm2Vl.Benchmarks.Reporting;

/// <summary>Global configurations: the default (BenchmarkDotNet's own job) or a quick one for fast turnarounds.</summary>
public static class BenchmarkConfigs
{
    public static IConfig For(bool quick)
    {
        var config = DefaultConfig.Instance.WithOptions(ConfigOptions.JoinSummary);
        if (!quick) return config;
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
