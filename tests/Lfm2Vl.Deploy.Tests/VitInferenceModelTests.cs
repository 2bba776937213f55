using Xunit;

namespace Lfm2Vl.Deploy.Tests;

/// <summary>The compiled ViT equals the eval-mode engine model (float tolerance), one image and a batch.</summary>
public class VitInferenceModelTests
{
    [Theory]
    [InlineData("micro", 32, 1)]
    [InlineData("micro", 64, 3)]
    [InlineData("ti", 48, 2)]
    public void CompiledVitMatchesEagerLogits(string variant, int size, int batch)
    {
        var model = TestModels.Create("vit", variant, size, numClasses: 7, seed: 11);
        // Larger head weights than the initializer's, so the logits are big enough for the tolerance to mean something.
        using (Engine.GradMode.NoGrad()) model.Classifier.Fc.Weight.Data.MulInPlace(20);
        using var images = TestModels.Images(batch, size, 4);
        var expected = TestModels.ReferenceLogits(model, images);
        TestModels.AssertInformative(expected);
        var compiled = InferenceCompiler.Compile(model);
        Assert.IsType<Vit.VitInferenceModel>(compiled);
        for (int run = 0; run < 2; run++) // the second run reuses the scratch buffers
        {
            using var logits = compiled.Predict(images);
            Assert.Equal(new[] { batch, 7 }, logits.Shape.ToArray());
            double diff = TestModels.MaxAbsDiff(expected, logits.ToFloatArray());
            Assert.True(diff <= 1e-4 * Math.Max(1, expected.Max(Math.Abs)), $"{variant}@{size} batch {batch}, run {run}: compiled ViT differs from eager by {diff:E2}");
        }
    }

    [Fact]
    public void OptimizeCompilesVitsForTheServerTargetOnly()
    {
        var model = TestModels.Create("vit", "micro", 32, numClasses: 5, seed: 2);
        using var images = TestModels.Images(4, 32, 8);
        var r = ModelOptimizer.Optimize(model, OptimizationTarget.Server, [images], new OptimizationOptions { MeasureLatency = false });
        Assert.IsType<Vit.VitInferenceModel>(r.Model);
        Assert.Equal(1.0, r.Report.Top1Agreement);
        Assert.True(r.Report.MaxLogitDifference < 1e-4, r.Report.ToText());
        Assert.Throws<NotSupportedException>(() => ModelOptimizer.Optimize(model, OptimizationTarget.Mobile, [images]));
    }
}
