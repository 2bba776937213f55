namespace Lfm2Vl.Deploy.Quantization;

/// <summary>How a conv input's uint8 range is chosen from the calibration images.</summary>
public enum CalibrationMethod
{
    /// <summary>The observed minimum and maximum: nothing clips, but a few outliers stretch the step for everything else.</summary>
    MinMax,
    /// <summary>The clipping range that minimizes the expected squared quantization error (clipping plus rounding).</summary>
    Mse,
}

/// <summary>
/// The distribution of one conv input over the calibration images: a histogram of <see cref="BinCount"/> bins over
/// the range seen in a first pass. Values outside that range (none, when both passes see the same images) go to the
/// end bins.
/// </summary>
public sealed class ActivationHistogram
{
    public const int BinCount = 2048;
    private readonly long[] _bins = new long[BinCount];

    public ActivationHistogram(ActivationRange observed) { Observed = observed; }

    /// <summary>The min/max range of the first pass (always holding 0).</summary>
    public ActivationRange Observed { get; }
    public long Count { get; private set; }
    private float Width => (Observed.Max - Observed.Min) / BinCount;

    public void Add(ReadOnlySpan<float> values)
    {
        float min = Observed.Min, inv = Width > 0 ? 1f / Width : 0;
        foreach (var v in values) _bins[Math.Clamp((int)((v - min) * inv), 0, BinCount - 1)]++;
        Count += values.Length;
    }

    /// <summary>The range for <paramref name="method"/>: min/max, or the MSE-optimal clipping of it.</summary>
    public ActivationRange Range(CalibrationMethod method) => method == CalibrationMethod.MinMax || Width <= 0 ? Observed : MseRange();

    /// <summary>
    /// Shrinks the observed range by factors 1 .. 0.05 (both ends together, so a signed input keeps its zero point)
    /// and keeps the one whose expected error is smallest: step^2/12 for every value inside, the squared distance to
    /// the nearest end for every value clipped.
    /// </summary>
    private ActivationRange MseRange()
    {
        var best = Observed;
        double bestError = double.MaxValue;
        for (int i = 0; i <= 190; i++)
        {
            float alpha = 1f - i * 0.005f;
            var candidate = new ActivationRange(Observed.Min * alpha, Observed.Max * alpha);
            double error = ExpectedError(candidate);
            if (error < bestError) (best, bestError) = (candidate, error);
        }
        return best;
    }

    /// <summary>Sum over the histogram of the squared error a value suffers when quantized with <paramref name="range"/>.</summary>
    public double ExpectedError(ActivationRange range)
    {
        double step = range.Scale, rounding = step * step / 12, error = 0;
        float width = Width;
        for (int b = 0; b < BinCount; b++)
        {
            long n = _bins[b];
            if (n == 0) continue;
            double v = Observed.Min + (b + 0.5) * width;
            double clip = v > range.Max ? v - range.Max : v < range.Min ? range.Min - v : 0;
            error += n * (clip > 0 ? clip * clip : rounding);
        }
        return error;
    }
}
