namespace Lfm2Vl.Vision.Models;

/// <summary>
/// What to build: the product's LFM2-VL recognition model (backbone -> 256-d features -> classification head,
/// plus an optional detection head). Stored in every checkpoint's metadata so a model can be rebuilt exactly.
/// </summary>
public sealed record ModelConfig
{
    /// <summary>Model family; "lfm2_vl" is the only one so far.</summary>
    public string ModelType { get; init; } = "lfm2_vl";
    /// <summary>"cnn" or "vit".</summary>
    public string Backbone { get; init; } = "cnn";
    /// <summary>cnn: "small" (fast on a CPU), "tiny" (for tests) or "resnet18"; vit: "micro" (fast on a CPU) or "ti" (ViT-Ti/16).</summary>
    public string Variant { get; init; } = "small";
    public int NumClasses { get; init; } = 10;
    /// <summary>Square input size in pixels (224 by default; other sizes where the backbone's stride divides it).</summary>
    public int InputSize { get; init; } = 224;
    /// <summary>Size of the feature vector between the backbone and the heads (256 in the product spec).</summary>
    public int FeatureDim { get; init; } = 256;
    /// <summary>Dropout before the classifier.</summary>
    public double Dropout { get; init; } = 0.2;
    /// <summary>Whether the dense detection head is built.</summary>
    public bool Detection { get; init; }
    /// <summary>Seed for initialization and dropout.</summary>
    public ulong Seed { get; init; } = 0;

    public string Name => $"{ModelType}-{Backbone}-{Variant}";
}
