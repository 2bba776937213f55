using Lfm2Vl.Deploy.Onnx;

using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;

namespace Lfm2Vl.Deploy.Tests;

/// <summary>Exported models run in ONNX Runtime and give our eval-mode logits (max abs difference 1e-4).</summary>
public class OnnxExportTests
{
    [Theory]
    [InlineData("cnn", "small", 64, 3)]
    [InlineData("cnn", "resnet18", 224, 2)]
    [InlineData("vit", "micro", 32, 3)]
    [InlineData("vit", "ti", 224, 2)]
    public void OnnxRuntimeReproducesLogits(string backbone, string variant, int size, int batch)
    {
        var model = TestModels.Create(backbone, variant, size);
        using var images = TestModels.Images(batch, size, 21);
        var expected = TestModels.ReferenceLogits(model, images);
        TestModels.AssertInformative(expected);

        string path = Path.Combine(Path.GetTempPath(), $"lfm2vl-{backbone}-{variant}-{Guid.NewGuid():N}.onnx");
        try
        {
            var result = OnnxExporter.Export(model, path);
            Assert.Equal(17, result.Opset);
            var actual = RunOnnx(path, images);
            double diff = TestModels.MaxAbsDiff(expected, actual);
            Assert.True(diff <= 1e-4, $"{backbone}/{variant}: max |onnx - ours| = {diff:E2}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void CnnExportHasFoldedConvsAndNoBatchNorm()
    {
        var model = TestModels.Create("cnn", "resnet18", 64);
        string path = Path.Combine(Path.GetTempPath(), $"lfm2vl-ops-{Guid.NewGuid():N}.onnx");
        try
        {
            var result = OnnxExporter.Export(model, path);
            Assert.Contains("Conv", result.OpTypes);
            Assert.Contains("GlobalAveragePool", result.OpTypes);
            Assert.Contains("Erf", result.OpTypes);
            Assert.DoesNotContain("BatchNormalization", result.OpTypes);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void OldOpsetsAreRefused()
    {
        var model = TestModels.Create("cnn", "small", 32);
        Assert.Throws<ArgumentOutOfRangeException>(() => OnnxExporter.ToBytes(model, 13));
    }

    internal static float[] RunOnnx(string path, Engine.Tensor images)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(path, options);
        var input = new DenseTensor<float>(images.ToFloatArray(), images.Shape);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("images", input)]);
        return results.Single(r => r.Name == "logits").AsTensor<float>().ToArray();
    }
}
