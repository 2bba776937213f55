using Lfm2Vl.Engine;
using Lfm2Vl.Nn.Init;

namespace Lfm2Vl.Vision.Models;

/// <summary>Builds models by name: backbone "cnn" (variants small, tiny, resnet18) or "vit" (variants micro, ti).</summary>
public static class ModelRegistry
{
    /// <summary>Every buildable backbone/variant pair, with a one-line description.</summary>
    public static IReadOnlyList<(string Backbone, string Variant, string Description)> Variants { get; } =
    [
        ("cnn", "small", "4 stages conv3x3-BN-ReLU-maxpool (32/64/128/256), stride 16; trains quickly on a CPU"),
        ("cnn", "tiny", "the small CNN cut to 2 stages (8/16), stride 4: for tests and ILGPU's slow CPU simulator"),
        ("cnn", "resnet18", "ResNet-18 (basic blocks 2-2-2-2, 64..512 channels), stride 32"),
        ("vit", "micro", "ViT with 8x8 patches, 128-d, 4 blocks, 4 heads; trains on a CPU"),
        ("vit", "ti", "ViT-Ti/16: 16x16 patches, 192-d, 12 blocks, 3 heads"),
    ];

    /// <summary>Builds the model with its seeded random initialization (the same seed gives the same weights).</summary>
    public static Lfm2VlModel Create(ModelConfig config) => Build(config);

    /// <summary>
    /// Builds the model with zero weights (constant initializations such as BatchNorm's still apply) and draws no
    /// random numbers: for loading a checkpoint's weights into right after, where the seeded initialization would
    /// only be overwritten (ResNet-18 spent about 2.8 s of a cold start drawing its 11.7M values).
    /// </summary>
    public static Lfm2VlModel CreateForLoading(ModelConfig config)
    {
        using var skip = Initializers.SkipRandomInit();
        return Build(config);
    }

    private static Lfm2VlModel Build(ModelConfig config)
    {
        if (config.ModelType != "lfm2_vl")
            throw new ArgumentException($"Unknown model type '{config.ModelType}'; the only one is 'lfm2_vl'.");
        if (config.NumClasses < 1) throw new ArgumentException("The model needs at least one class.");
        var gen = new Generator(config.Seed);
        Backbone backbone = (config.Backbone, config.Variant) switch
        {
            ("cnn", "small") => new SmallCnnBackbone(gen),
            ("cnn", "tiny") => new SmallCnnBackbone(gen, [8, 16]),
            ("cnn", "resnet18") => new ResNetBackbone(gen),
            ("vit", "micro") => new VitBackbone(gen, config.InputSize, patch: 8, dim: 128, depth: 4, heads: 4),
            ("vit", "ti") => new VitBackbone(gen, config.InputSize),
            _ => throw new ArgumentException(
                $"Unknown backbone '{config.Backbone}' with variant '{config.Variant}'. Known: " +
                string.Join(", ", Variants.Select(v => $"{v.Backbone}/{v.Variant}")) + "."),
        };
        if (config.InputSize % backbone.Stride != 0)
            throw new ArgumentException($"Input size {config.InputSize} must be a multiple of the {config.Name} backbone's stride {backbone.Stride}.");
        return new Lfm2VlModel(config, backbone, gen);
    }
}
