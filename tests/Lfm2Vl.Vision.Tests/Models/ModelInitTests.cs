using Lfm2Vl.Engine;
using Lfm2Vl.Nn.Init;
using Lfm2Vl.Vision.Models;
using Xunit;

namespace Lfm2Vl.Vision.Tests.Models;

/// <summary>The seeded initialization used for training, and the draw-free construction used before loading weights.</summary>
public class ModelInitTests
{
    private static readonly ModelConfig Small = new() { Backbone = "cnn", Variant = "small", NumClasses = 4, InputSize = 32, Seed = 11 };

    private static Dictionary<string, double[]> Weights(Lfm2VlModel m) =>
        m.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.ToDoubleArray());

    [Fact]
    public void SeededInitIsUnchangedByLoadingConstruction()
    {
        var before = Weights(ModelRegistry.Create(Small));
        ModelRegistry.CreateForLoading(Small);
        var after = Weights(ModelRegistry.Create(Small));
        Assert.Equal(before.Keys, after.Keys);
        foreach (var (name, values) in before) Assert.Equal(values, after[name]);
        // Pinned values of the seeded draws (computed before CreateForLoading existed): a change to the training
        // init's draw order or distributions fails here.
        Assert.Equal(-0.04756290093064308, before["backbone.stage1.0.conv.weight"][0], 12);
        Assert.Equal(PinnedConvSum, before["backbone.stage1.0.conv.weight"].Sum(), 9);
        Assert.Equal(PinnedFcSum, before["classifier.fc.weight"].Sum(), 9);
    }

    private const double PinnedConvSum = 4.6463128865507315, PinnedFcSum = -0.37503730094613275;

    [Theory]
    [InlineData("cnn", "small")]
    [InlineData("cnn", "resnet18")]
    [InlineData("vit", "micro")]
    public void LoadingConstructionHasTheSameTensorsWithZeroRandomWeights(string backbone, string variant)
    {
        var config = Small with { Backbone = backbone, Variant = variant, Detection = true };
        var seeded = ModelRegistry.Create(config).StateDict().ToDictionary(kv => kv.Key, kv => kv.Value);
        var blank = ModelRegistry.CreateForLoading(config).StateDict().ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal(seeded.Keys.Order(), blank.Keys.Order());
        foreach (var (name, t) in blank)
        {
            Assert.Equal(seeded[name].Shape, t.Shape);
            Assert.Equal(seeded[name].DType, t.DType);
        }
        // Random draws became zeros; constant initializations (BatchNorm's scale of one, zero biases, the
        // detection head's prior bias) are the seeded model's values.
        foreach (var (name, t) in blank)
        {
            var values = t.ToDoubleArray();
            if (values.Any(v => v != 0)) Assert.Equal(seeded[name].ToDoubleArray(), values);
        }
        Assert.All(blank["classifier.fc.weight"].ToDoubleArray(), v => Assert.Equal(0.0, v));
        Assert.Contains(seeded["classifier.fc.weight"].ToDoubleArray(), v => v != 0);
        Assert.Contains(blank.Values, t => t.ToDoubleArray().All(v => v == 1));
    }

    [Fact]
    public void SkipScopeNestsAndStaysOnItsThread()
    {
        Assert.False(Initializers.SkippingRandomInit);
        using (Initializers.SkipRandomInit())
        {
            using (Initializers.SkipRandomInit()) Assert.True(Initializers.SkippingRandomInit);
            Assert.True(Initializers.SkippingRandomInit);
            bool other = true;
            var thread = new Thread(() => other = Initializers.SkippingRandomInit);
            thread.Start();
            thread.Join();
            Assert.False(other);
            var t = Tensor.Ones([3, 4]);
            Initializers.Normal(t, 0, 1, new Generator(1));
            Assert.All(t.ToDoubleArray(), v => Assert.Equal(0.0, v));
            Assert.Throws<ArgumentException>(() => Initializers.Normal(t, 0, -1));
        }
        Assert.False(Initializers.SkippingRandomInit);
        var u = Tensor.Zeros([3, 4]);
        Initializers.Normal(u, 0, 1, new Generator(1));
        Assert.Contains(u.ToDoubleArray(), v => v != 0);
    }
}
