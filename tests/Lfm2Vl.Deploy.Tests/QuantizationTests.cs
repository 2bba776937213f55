using Lfm2Vl.Deploy.Graph;
using Lfm2Vl.Deploy.Kernels;
using Lfm2Vl.Deploy.Quantization;
using Lfm2Vl.Engine;
using Xunit;

namespace Lfm2Vl.Deploy.Tests;

public class QuantizationTests
{
    [Fact]
    public void VnniAndScalarModelsGiveIdenticalLogits()
    {
        if (!Int8DirectConv.VnniAvailable) return; // only the scalar path exists here (Int8ConvExecutorTests checks it against the reference)
        var model = TestModels.Create("cnn", "resnet18", 32);
        var calib = new[] { TestModels.Images(4, 32, 2) };
        using var images = TestModels.Images(3, 32, 9);
        using var vector = ModelOptimizer.Quantize(model, calib, useVnni: true).Predict(images);
        using var scalar = ModelOptimizer.Quantize(model, calib, useVnni: false).Predict(images);
        Assert.Equal(scalar.ToFloatArray(), vector.ToFloatArray());
    }

    [Fact]
    public void QuantizedLogitsStayCloseToFloat()
    {
        var model = TestModels.Create("cnn", "small", 64);
        using var images = TestModels.Images(4, 64, 9);
        var q = ModelOptimizer.Quantize(model, [images]);
        Assert.Equal("int8", q.Precision);
        var expected = TestModels.ReferenceLogits(model, images);
        using var logits = q.Predict(images);
        double diff = TestModels.MaxAbsDiff(expected, logits.ToFloatArray());
        double scale = expected.Max(v => Math.Abs(v));
        Assert.True(diff <= 0.1 * scale, $"int8 logits differ by {diff:G3} on logits of size {scale:G3}");
        Assert.True(diff > 0, "the int8 path should not be the float path");
    }

    [Fact]
    public void WeightsArePerChannelSymmetricInt8()
    {
        var w = new float[] { 1f, -0.5f, 0.25f, 0f, /* channel 1 */ 0.012f, -0.02f, 0.005f, 0.02f };
        var node = new ConvNode("x", "y", w, 2, 1, 2, 1, 0, [0f, 0f], Activation.None);
        var q = QuantizedWeights.Quantize(node);
        Assert.Equal(1f / 127, q.Scales[0], 6);
        Assert.Equal(0.02f / 127, q.Scales[1], 8);
        Assert.Equal(new sbyte[] { 127, -64, 32, 0, 76, -127, 32, 127 }, q.Values);
        Assert.Equal(127 - 64 + 32, q.RowSums[0]);
        Assert.Equal(76 - 127 + 32 + 127, q.RowSums[1]);
    }

    [Fact]
    public void ActivationRangeAlwaysHoldsZero()
    {
        var relu = ActivationRange.From(0.5f, 4f);
        Assert.Equal(0, relu.ZeroPoint);
        Assert.Equal(4f / 255, relu.Scale, 6);
        var signed = ActivationRange.From(-2f, 3f);
        Assert.Equal(102, signed.ZeroPoint);                 // round(2 / (5 / 255)) = round(102.0)
        Assert.Equal(0f, ActivationRange.From(1f, 2f).Min);
    }
}
