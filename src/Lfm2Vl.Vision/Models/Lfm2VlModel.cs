using Lfm2Vl.Engine;
using Lfm2Vl.Nn.Modules;

namespace Lfm2Vl.Vision.Models;

/// <summary>What one forward pass returns: class logits, the 256-d features, and the dense detection maps when enabled.</summary>
public sealed record ModelOutput(Tensor Logits, Tensor Features, DetectionMaps? Detection);

/// <summary>
/// The recognition model of the product spec: image [N, 3, H, W] -> backbone (CNN or ViT) -> 256-d features
/// -> classification head, and (optionally) a dense detection head on the backbone's feature map.
/// </summary>
public sealed class Lfm2VlModel : Module
{
    internal Lfm2VlModel(ModelConfig config, Backbone backbone, Generator gen)
    {
        Config = config;
        Backbone = RegisterModule("backbone", backbone);
        Neck = RegisterModule("neck", new FeatureNeck(backbone.PooledChannels, config.FeatureDim, gen));
        Classifier = RegisterModule("classifier", new ClassificationHead(config.FeatureDim, config.NumClasses, config.Dropout, gen));
        if (config.Detection) Detector = RegisterModule("detector", new DetectionHead(backbone.MapChannels, config.NumClasses, gen));
    }

    public ModelConfig Config { get; private set; }
    public Backbone Backbone { get; }
    public FeatureNeck Neck { get; }
    public ClassificationHead Classifier { get; private set; }
    public DetectionHead? Detector { get; private set; }

    public ModelOutput Forward(Tensor images)
    {
        var b = Backbone.Forward(images);
        var features = Neck.Forward(b.Pooled);
        var logits = Classifier.Forward(features);
        var det = Detector?.Forward(b.FeatureMap, Backbone.Stride);
        return new ModelOutput(logits, features, det);
    }

    /// <summary>
    /// Replaces the heads for a task with another number of classes (fine-tuning); the backbone and neck are kept.
    /// </summary>
    public void ReplaceHeads(int numClasses, ulong seed)
    {
        var gen = new Generator(seed);
        Classifier = ReplaceModule("classifier", new ClassificationHead(Config.FeatureDim, numClasses, Config.Dropout, gen));
        if (Detector is not null) Detector = ReplaceModule("detector", new DetectionHead(Backbone.MapChannels, numClasses, gen));
        Config = Config with { NumClasses = numClasses };
    }
}
