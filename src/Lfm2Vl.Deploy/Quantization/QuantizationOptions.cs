namespace Lfm2Vl.Deploy.Quantization;

/// <summary>How <see cref="ModelOptimizer.Quantize(Vision.Models.Lfm2VlModel, IEnumerable{Engine.Tensor}, QuantizationOptions?)"/> builds the int8 model.</summary>
public sealed record QuantizationOptions
{
    /// <summary>How the conv inputs' ranges are chosen. Min/max by default: on the demo model MSE clipping kept the
    /// accuracy too but moved the logits two to three times further from float's.</summary>
    public CalibrationMethod Calibration { get; init; } = CalibrationMethod.MinMax;
    /// <summary>Correct each int8 conv's per-channel mean shift on the calibration images.</summary>
    public bool BiasCorrection { get; init; } = true;
    /// <summary>Keep the first conv (on the normalized image, 3 input channels, a small share of the work) in float32.</summary>
    public bool FloatFirstConv { get; init; }
    /// <summary>Keep the head's linear layers in float32 instead of int8 weights.</summary>
    public bool FloatHead { get; init; }
    /// <summary>Use AVX-VNNI when the CPU has it (otherwise the exact scalar int8 path).</summary>
    public bool UseVnni { get; init; } = true;

    public string Describe() => string.Join(", ", new[]
    {
        Calibration == CalibrationMethod.Mse ? "MSE-clipped ranges" : "min/max ranges",
        BiasCorrection ? "bias correction" : null,
        FloatFirstConv ? "first conv float32" : null,
        FloatHead ? "head float32" : "head int8 weights",
    }.Where(x => x is not null));

    /// <summary>Min/max ranges, no correction, everything int8: the first version's recipe (for comparison).</summary>
    public static QuantizationOptions Plain { get; } = new() { Calibration = CalibrationMethod.MinMax, BiasCorrection = false };
}
