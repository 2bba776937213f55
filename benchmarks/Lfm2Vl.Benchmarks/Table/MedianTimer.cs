using System.Diagnostics;

namespace Lfm2Vl.Benchmarks.Table;

/// <summary>
/// Times one call the way benchmarks/peers/torch_peers.py does, so both sides of a ratio are measured alike:
/// warm-up until at least 2 calls and 3 s have passed (JIT tiering, pools, caches) and the last call is within
/// 1.2x of the fastest (or 10 s have passed), then
/// clamp(2 s / warm-up call time, 3, 25) timed calls, reporting their median, and the managed bytes the timed
/// calls allocated (all threads), per call.
/// </summary>
public static class MedianTimer
{
    public const double WarmupSeconds = 3.0;
    public const double MeasureSeconds = 2.0;
    public const int MinRepeats = 3, MaxRepeats = 25, MaxWarmups = 100_000; // the time rules end warm-up; 50 calls cut a 2 ms workload off after 0.1 s, before the JIT had optimized its loops
    public const double SettledRatio = 1.2, MaxWarmupSeconds = 10;

    public static (double MedianSeconds, double[] Times, double AllocatedBytes) Measure(Action run)
    {
        var total = Stopwatch.StartNew();
        double last = 0, best = double.MaxValue;
        for (int i = 0; i < MaxWarmups && (i < 2 || total.Elapsed.TotalSeconds < WarmupSeconds || Settling(last, best, total)); i++)
        {
            last = Time(run);
            best = Math.Min(best, last);
        }
        int repeats = Math.Clamp((int)Math.Round(MeasureSeconds / Math.Max(last, 1e-6)), MinRepeats, MaxRepeats);
        var times = new double[repeats];
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < repeats; i++) times[i] = Time(run);
        double allocated = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / (double)repeats;
        var sorted = times.Order().ToArray();
        double median = repeats % 2 == 1 ? sorted[repeats / 2] : (sorted[repeats / 2 - 1] + sorted[repeats / 2]) / 2;
        return (median, times, allocated);
    }

    /// <summary>Still getting faster (JIT tiers, caches): the last call is over 1.2x the best one, within 10 s.</summary>
    private static bool Settling(double last, double best, Stopwatch total) =>
        last > SettledRatio * best && total.Elapsed.TotalSeconds < MaxWarmupSeconds;

    private static double Time(Action run)
    {
        long start = Stopwatch.GetTimestamp();
        run();
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }
}
