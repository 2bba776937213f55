using Lfm2Vl.Engine;
using Lfm2Vl.Nn.Modules;

namespace Lfm2Vl.Vision.Models;

/// <summary>What a backbone gives the heads: a pooled vector per image and a dense feature map.</summary>
public readonly record struct BackboneOutput(Tensor Pooled, Tensor FeatureMap);

/// <summary>
/// A feature extractor. <see cref="Stages"/> lists its parts from input to output, so a fine-tuner can
/// unfreeze them progressively from the top.
/// </summary>
public abstract class Backbone : Module
{
    /// <summary>Width of <see cref="BackboneOutput.Pooled"/>.</summary>
    public abstract int PooledChannels { get; }
    /// <summary>Channels of <see cref="BackboneOutput.FeatureMap"/>.</summary>
    public abstract int MapChannels { get; }
    /// <summary>Input pixels per feature-map cell.</summary>
    public abstract int Stride { get; }
    /// <summary>The parts from input to output (stem first).</summary>
    public abstract IReadOnlyList<Module> Stages { get; }

    public abstract BackboneOutput Forward(Tensor images);

    protected static void CheckInput(Tensor images, int stride, string name)
    {
        if (images.Rank != 4 || images.Size(1) != 3)
            throw new ArgumentException($"{name} expects images [N, 3, H, W], got {ShapeUtil.Format(images.Shape)}.");
        if (images.Size(2) % stride != 0 || images.Size(3) % stride != 0)
            throw new ArgumentException($"{name}: image size {images.Size(2)}x{images.Size(3)} must be a multiple of {stride}.");
    }
}
