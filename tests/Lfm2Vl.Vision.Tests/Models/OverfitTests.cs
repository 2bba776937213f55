using Lfm2Vl.Engine;
using Lfm2Vl.Nn.Optim;
using Lfm2Vl.Vision.Data;
using Lfm2Vl.Vision.Models;
using Xunit;

namespace Lfm2Vl.Vision.Tests.Models;

/// <summary>Every model can memorize a few synthetic images: the end-to-end check that its gradients are wired.</summary>
public class OverfitTests
{
    private static (Tensor Images, Tensor Labels) FewImages(int size)
    {
        var options = new SyntheticDatasetOptions { ImageWidth = size, ImageHeight = size, MaxObjectsPerImage = 1, Seed = 4 };
        var rng = new Generator(4);
        var shapes = new[] { SyntheticShape.Circle, SyntheticShape.Square, SyntheticShape.Triangle, SyntheticShape.Face };
        var data = new float[shapes.Length * 3 * size * size];
        for (int i = 0; i < shapes.Length; i++)
        {
            var img = SyntheticImageRenderer.Render(rng, i, shapes, options).Image;
            for (int c = 0; c < 3; c++)
                for (int p = 0; p < size * size; p++)
                    data[(i * 3 + c) * size * size + p] = img.Pixels[p * 3 + c] / 127.5f - 1;
        }
        return (Tensor.FromArray(data, shapes.Length, 3, size, size).Persist(), Tensor.FromArray(new[] { 0, 1, 2, 3 }, 4).Persist());
    }

    [Theory]
    [InlineData("cnn", "small", 32, 40)]
    [InlineData("cnn", "resnet18", 32, 40)]
    [InlineData("vit", "micro", 32, 60)]
    [InlineData("vit", "ti", 32, 30)]
    public void ModelMemorizesFourImages(string backbone, string variant, int size, int steps)
    {
        var (x, y) = FewImages(size);
        var model = ModelRegistry.Create(new ModelConfig { Backbone = backbone, Variant = variant, NumClasses = 4, InputSize = size, Dropout = 0, Seed = 1 });
        var opt = new AdamW(model.Parameters(), lr: backbone == "vit" ? 2e-3 : 3e-3, weightDecay: 0);
        double loss = double.NaN;
        for (int i = 0; i < steps; i++)
        {
            using var scope = TensorScope.Begin();
            var l = Functional.CrossEntropy(model.Forward(x).Logits, y);
            l.Backward();
            opt.Step();
            opt.ZeroGrad();
            loss = l.Item();
        }
        Assert.True(loss < 0.1, $"{backbone}/{variant}: training loss {loss:F3} after {steps} steps");
        model.Eval();
        using var noGrad = GradMode.NoGrad();
        Assert.Equal(y.ToArray<int>(), model.Forward(x).Logits.ArgMax(1).ToArray<int>());
    }
}
