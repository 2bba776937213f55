using Lfm2Vl.Deploy.Quantization;
using Xunit;

namespace Lfm2Vl.Deploy.Tests;

public class CalibrationTests
{
    [Fact]
    public void MseRangeClipsALongTailAndLowersTheExpectedError()
    {
        // Exponentially distributed, like post-ReLU activations: a long thin tail that stretches the min/max step.
        var rng = new Random(3);
        var values = Enumerable.Range(0, 200_000).Select(_ => (float)-Math.Log(1 - rng.NextDouble())).ToArray();
        var histogram = new ActivationHistogram(ActivationRange.From(values.Min(), values.Max()));
        histogram.Add(values);
        Assert.Equal(histogram.Observed, histogram.Range(CalibrationMethod.MinMax));
        var mse = histogram.Range(CalibrationMethod.Mse);
        Assert.True(mse.Max < 0.9 * histogram.Observed.Max && mse.Max > 3, $"MSE range {mse} should clip the tail (max {histogram.Observed.Max}) but keep the bulk");
        Assert.Equal(0f, mse.Min);
        Assert.True(histogram.ExpectedError(mse) < histogram.ExpectedError(histogram.Observed));
    }

    [Fact]
    public void BiasCorrectionBringsInt8LogitsCloserToFloatOnAverage()
    {
        var model = TestModels.Create("cnn", "small", 32, seed: 5);
        var calibration = new[] { TestModels.Images(16, 32, 21) };
        var expected = TestModels.ReferenceLogits(model, calibration[0]);
        double MeanError(QuantizationOptions options)
        {
            using var logits = ModelOptimizer.Quantize(model, calibration, options).Predict(calibration[0]);
            var l = logits.ToFloatArray();
            return l.Select((v, i) => Math.Abs(v - expected[i])).Average();
        }
        double plain = MeanError(QuantizationOptions.Plain), corrected = MeanError(QuantizationOptions.Plain with { BiasCorrection = true });
        Assert.True(corrected < plain, $"mean |logit error| with bias correction {corrected:E3}, without {plain:E3}");
    }
}
