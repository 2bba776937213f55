using System.Globalization;
using System.Text;

namespace Lfm2Vl.Deploy;

/// <summary>Where an optimized model is meant to run: <see cref="Server"/> keeps float32 (folded, fused);
/// <see cref="Mobile"/> also quantizes the convolutions to int8.</summary>
public enum OptimizationTarget { Server, Mobile }

/// <summary>Size, accuracy and latency of a model before (eval-mode engine model) and after optimization.</summary>
public sealed record OptimizationReport
{
    public required string Model { get; init; }
    public required OptimizationTarget Target { get; init; }
    public required string Precision { get; init; }
    /// <summary>Float32 bytes of the trained model's parameters and BatchNorm statistics.</summary>
    public required long BytesBefore { get; init; }
    /// <summary>Bytes of the weights the optimized model holds.</summary>
    public required long BytesAfter { get; init; }
    public int CalibrationImages { get; init; }
    /// <summary>The quantization recipe (mobile only).</summary>
    public string? Recipe { get; init; }
    public bool Vnni { get; init; }
    public double? AccuracyBefore { get; init; }
    public double? AccuracyAfter { get; init; }
    /// <summary>Share of evaluated images whose top-1 class is unchanged by the optimization.</summary>
    public double? Top1Agreement { get; init; }
    public double? MaxLogitDifference { get; init; }
    public LatencyResult? LatencyBefore { get; init; }
    public LatencyResult? LatencyAfter { get; init; }
    public LatencyResult? ThroughputBefore { get; init; }
    public LatencyResult? ThroughputAfter { get; init; }

    public string ToText()
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(c, $"{Model} -> {Target} ({Precision}{(Precision == "int8" ? Vnni ? ", AVX-VNNI" : ", scalar int8" : "")})");
        sb.AppendLine(c, $"  size      {BytesBefore / 1e6:F2} MB -> {BytesAfter / 1e6:F2} MB ({(double)BytesBefore / Math.Max(1, BytesAfter):F1}x smaller)");
        if (AccuracyBefore is { } a0 && AccuracyAfter is { } a1)
            sb.AppendLine(c, $"  accuracy  {a0:P2} -> {a1:P2} ({(a1 - a0) * 100:+0.00;-0.00} points)");
        if (Top1Agreement is { } agree) sb.AppendLine(c, $"  top-1 agreement {agree:P2}, max |logit difference| {MaxLogitDifference:G3}");
        if (LatencyBefore is { } l0 && LatencyAfter is { } l1)
            sb.AppendLine(c, $"  latency   batch {l0.Batch}: {l0.MedianMs:F2} ms -> {l1.MedianMs:F2} ms ({l0.MedianMs / l1.MedianMs:F1}x)");
        if (ThroughputBefore is { } t0 && ThroughputAfter is { } t1)
            sb.AppendLine(c, $"  throughput batch {t0.Batch}: {t0.ImagesPerSecond:F1} -> {t1.ImagesPerSecond:F1} img/s");
        if (CalibrationImages > 0) sb.AppendLine(c, $"  calibrated on {CalibrationImages} images{(Recipe is null ? "" : $" ({Recipe})")}");
        return sb.ToString();
    }
}

/// <summary>What <see cref="ModelOptimizer.Optimize"/> measures besides building the model.</summary>
public sealed record OptimizationOptions
{
    /// <summary>Labelled images (float32 [N, 3, S, S] batches and their class indices) for accuracy before and after.</summary>
    public IReadOnlyList<(Engine.Tensor Images, int[] Labels)>? Validation { get; init; }
    public bool MeasureLatency { get; init; } = true;
    public int ThroughputBatch { get; init; } = 32;
    /// <summary>Use AVX-VNNI when the CPU has it (otherwise the exact scalar int8 path).</summary>
    public bool UseVnni { get; init; } = true;
    /// <summary>How the mobile target quantizes (calibration method, bias correction, layers kept in float).</summary>
    public Quantization.QuantizationOptions Quantization { get; init; } = new();
}
