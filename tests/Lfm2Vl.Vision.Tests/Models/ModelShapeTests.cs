using Lfm2Vl.Engine;
using Lfm2Vl.Vision.Models;
using Xunit;

namespace Lfm2Vl.Vision.Tests.Models;

public class ModelShapeTests
{
    [Theory]
    [InlineData("cnn", "small", 32)]
    [InlineData("cnn", "resnet18", 64)]
    [InlineData("vit", "micro", 32)]
    [InlineData("vit", "ti", 32)]
    public void ForwardShapesAndBackwardReachEveryParameter(string backbone, string variant, int size)
    {
        var model = ModelRegistry.Create(new ModelConfig { Backbone = backbone, Variant = variant, NumClasses = 5, InputSize = size, Detection = true, Seed = 3 });
        var x = Tensor.Randn([2, 3, size, size], new Generator(1));
        var output = model.Forward(x);
        Assert.Equal(new[] { 2, 5 }, output.Logits.Shape);
        Assert.Equal(new[] { 2, 256 }, output.Features.Shape);
        var det = output.Detection!;
        int cells = size / model.Backbone.Stride;
        Assert.Equal(new[] { 2, 5, cells, cells }, det.ClassLogits.Shape);
        Assert.Equal(new[] { 2, 4, cells, cells }, det.BoxDistances.Shape);
        Assert.Equal(new[] { 2, 1, cells, cells }, det.Centerness.Shape);

        var loss = output.Logits.Square().Mean() + det.ClassLogits.Mean() + det.BoxDistances.Mean() + det.Centerness.Mean();
        loss.Backward();
        foreach (var (name, p) in model.NamedParameters())
        {
            Assert.True(p.Grad is not null, $"{name} got no gradient");
            Assert.All(p.Grad!.ToFloatArray(), v => Assert.True(float.IsFinite(v), $"{name} has a non-finite gradient"));
        }
    }

    [Fact]
    public void ParameterCountsMatchTheReferenceArchitectures()
    {
        // torchvision resnet18 without its fc: 11,176,512; timm vit_tiny_patch16_224 without its head: 5,524,416.
        var resnet = ModelRegistry.Create(new ModelConfig { Backbone = "cnn", Variant = "resnet18" });
        Assert.Equal(11_176_512, resnet.Backbone.ParameterCount());
        var vit = ModelRegistry.Create(new ModelConfig { Backbone = "vit", Variant = "ti" });
        Assert.Equal(5_524_416, vit.Backbone.ParameterCount());
    }

    [Fact]
    public void VitInterpolatesPositionEmbeddingsForOtherSizes()
    {
        var model = ModelRegistry.Create(new ModelConfig { Backbone = "vit", Variant = "micro", InputSize = 32, NumClasses = 3 });
        model.Eval();
        var output = model.Forward(Tensor.Randn([1, 3, 48, 48], new Generator(2)));
        Assert.Equal(new[] { 1, 3 }, output.Logits.Shape);
    }

    [Fact]
    public void UnknownVariantListsTheKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelRegistry.Create(new ModelConfig { Backbone = "cnn", Variant = "resnet999" }));
        Assert.Contains("cnn/resnet18", e.Message);
    }
}
