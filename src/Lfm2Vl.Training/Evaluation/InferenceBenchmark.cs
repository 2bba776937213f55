using System.Diagnostics;
using Lfm2Vl.Engine;
using Lfm2Vl.Vision.Models;

namespace Lfm2Vl.Training.Evaluation;

/// <summary>What to time: each batch size gets <see cref="WarmupRuns"/> untimed forward passes, then <see cref="Runs"/> timed ones.</summary>
public sealed record BenchmarkOptions
{
    /// <summary>Batch 1 for latency, 32 for throughput (the product spec's table).</summary>
    public IReadOnlyList<int> BatchSizes { get; init; } = [1, 32];
    public int WarmupRuns { get; init; } = 3;
    public int Runs { get; init; } = 20;
    /// <summary>Also decode detections (when the model has a detector), as a prediction would.</summary>
    public bool IncludeDetectionDecode { get; init; } = true;
    public ulong Seed { get; init; } = 0;
}

/// <summary>
/// Timings of one batch size: per-batch latency (mean, p50, p95, in milliseconds, linear-interpolated
/// percentiles as numpy's default) and throughput = batch size / mean batch time.
/// </summary>
public sealed record BenchmarkRow(string Device, string Model, int BatchSize, int Runs, double MeanMs, double P50Ms, double P95Ms, double MinMs, double ImagesPerSecond);

public sealed record BenchmarkResult(string Device, string Model, int InputSize, IReadOnlyList<BenchmarkRow> Rows);

/// <summary>
/// Times inference (forward pass under NoGrad in eval mode, reading the logits back so queued device work is
/// included) on random inputs on the device that holds the model. Warm-up runs are excluded.
/// </summary>
public static class InferenceBenchmark
{
    public static BenchmarkResult Run(Lfm2VlModel model, BenchmarkOptions? options = null)
    {
        options ??= new BenchmarkOptions();
        if (options.BatchSizes.Count == 0 || options.BatchSizes.Any(b => b < 1)) throw new ArgumentException("Batch sizes must be positive.", nameof(options));
        if (options.Runs < 1 || options.WarmupRuns < 0) throw new ArgumentException("At least one timed run and no negative warm-up count.", nameof(options));
        var device = model.Parameters().FirstOrDefault()?.Data.Device ?? Device.Cpu;
        int size = model.Config.InputSize;
        bool wasTraining = model.IsTraining;
        model.Eval();
        try
        {
            var rows = new List<BenchmarkRow>();
            var gen = new Generator(options.Seed);
            foreach (int batch in options.BatchSizes)
            {
                using var input = Tensor.Randn([batch, 3, size, size], gen, device: device).Persist();
                for (int i = 0; i < options.WarmupRuns; i++) Forward(model, input, options);
                var ms = new double[options.Runs];
                for (int i = 0; i < options.Runs; i++)
                {
                    long start = Stopwatch.GetTimestamp();
                    Forward(model, input, options);
                    ms[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }
                rows.Add(Row(device.ToString(), model.Config.Name, batch, ms));
            }
            return new BenchmarkResult(device.ToString(), model.Config.Name, size, rows);
        }
        finally
        {
            if (wasTraining) model.Train();
        }
    }

    /// <summary>Summarizes measured batch times (milliseconds).</summary>
    public static BenchmarkRow Row(string device, string model, int batchSize, IReadOnlyList<double> milliseconds)
    {
        var sorted = milliseconds.Order().ToArray();
        double mean = sorted.Average();
        return new BenchmarkRow(device, model, batchSize, sorted.Length, mean, Percentile(sorted, 50), Percentile(sorted, 95), sorted[0],
            mean > 0 ? batchSize * 1000.0 / mean : double.PositiveInfinity);
    }

    /// <summary>numpy.percentile's default (linear interpolation between the closest ranks) of sorted values.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double percent)
    {
        if (sorted.Count == 0) throw new ArgumentException("No values.", nameof(sorted));
        double pos = (sorted.Count - 1) * percent / 100.0;
        int lo = (int)Math.Floor(pos), hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }

    private static void Forward(Lfm2VlModel model, Tensor input, BenchmarkOptions options)
    {
        using var scope = TensorScope.Begin();
        using var noGrad = GradMode.NoGrad();
        var output = model.Forward(input);
        _ = output.Logits.ToFloatArray();
        if (options.IncludeDetectionDecode && output.Detection is { } maps)
            Vision.Detection.DetectionDecoder.Decode(maps, input.Size(3), input.Size(2));
    }
}
