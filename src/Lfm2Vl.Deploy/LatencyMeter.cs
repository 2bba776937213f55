using System.Diagnostics;
using Lfm2Vl.Engine;

namespace Lfm2Vl.Deploy;

/// <summary>Median latency of a prediction function, and images per second at a batch size.</summary>
public readonly record struct LatencyResult(int Batch, double MedianMs, double MinMs, int Runs)
{
    public double ImagesPerSecond => Batch * 1000.0 / MedianMs;
    public override string ToString() => $"batch {Batch}: median {MedianMs:F2} ms (min {MinMs:F2}), {ImagesPerSecond:F1} img/s over {Runs} runs";
}

public static class LatencyMeter
{
    /// <summary>
    /// Runs <paramref name="predict"/> on random images [batch, 3, size, size]: warm-up runs (at least
    /// <paramref name="warmup"/> and <paramref name="warmupSeconds"/>), then timed runs until <paramref name="minRuns"/>
    /// runs and <paramref name="minSeconds"/> have passed (or <paramref name="maxRuns"/>). The warm-up is timed because
    /// the JIT promotes hot methods to optimized code only after about 30 calls and a 100 ms delay: a count of two
    /// warm-up runs measured partly unoptimized code (small CNN batch 1: 1.9 ms instead of 0.8 ms).
    /// </summary>
    public static LatencyResult Measure(Func<Tensor, Tensor> predict, int batch, int size, int warmup = 2, int minRuns = 5,
        double minSeconds = 1.0, int maxRuns = 200, double warmupSeconds = 0.5)
    {
        using var images = Tensor.Randn([batch, 3, size, size], new Generator(1)).Persist();
        var warming = Stopwatch.StartNew();
        for (int i = 0; i < warmup || (warming.Elapsed.TotalSeconds < warmupSeconds && i < maxRuns); i++) predict(images).Dispose();
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        while (times.Count < maxRuns && (times.Count < minRuns || total.Elapsed.TotalSeconds < minSeconds))
        {
            var sw = Stopwatch.StartNew();
            predict(images).Dispose();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        return new LatencyResult(batch, times[times.Count / 2], times[0], times.Count);
    }
}
