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
    /// Runs <paramref name="predict"/> on random images [batch, 3, size, size]: warm-up runs, then timed runs until
    /// <paramref name="minRuns"/> runs and <paramref name="minSeconds"/> have passed (or <paramref name="maxRuns"/>).
    /// </summary>
    public static LatencyResult Measure(Func<Tensor, Tensor> predict, int batch, int size, int warmup = 2, int minRuns = 5,
        double minSeconds = 1.0, int maxRuns = 200)
    {
        using var images = Tensor.Randn([batch, 3, size, size], new Generator(1)).Persist();
        for (int i = 0; i < warmup; i++) predict(images).Dispose();
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
