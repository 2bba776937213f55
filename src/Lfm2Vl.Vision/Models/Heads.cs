using Lfm2Vl.Engine;
using Lfm2Vl.Nn.Init;
using Lfm2Vl.Nn.Layers;
using Lfm2Vl.Nn.Modules;

namespace Lfm2Vl.Vision.Models;

/// <summary>Backbone pooled output -> the 256-d feature vector of the product spec (Linear + GELU).</summary>
public sealed class FeatureNeck : Module<Tensor, Tensor>
{
    public FeatureNeck(int inChannels, int featureDim, Generator gen)
    {
        Proj = RegisterModule("proj", new Linear(inChannels, featureDim, generator: gen));
    }

    public Linear Proj { get; }

    public override Tensor Forward(Tensor pooled) => Proj.Forward(pooled).Gelu();
}

/// <summary>Dropout + Linear: features -> class logits.</summary>
public sealed class ClassificationHead : Module<Tensor, Tensor>
{
    public ClassificationHead(int featureDim, int numClasses, double dropout, Generator gen)
    {
        if (numClasses < 1) throw new ArgumentOutOfRangeException(nameof(numClasses), "A classifier needs at least one class.");
        NumClasses = numClasses;
        Drop = RegisterModule("dropout", new Dropout(dropout, gen.Fork()));
        Fc = RegisterModule("fc", new Linear(featureDim, numClasses, generator: gen));
    }

    public int NumClasses { get; }
    public Dropout Drop { get; }
    public Linear Fc { get; }

    public override Tensor Forward(Tensor features) => Fc.Forward(Drop.Forward(features));
}

/// <summary>Raw dense predictions on a feature map with <see cref="Stride"/> pixels per cell.</summary>
public sealed record DetectionMaps(Tensor ClassLogits, Tensor BoxDistances, Tensor Centerness, int Stride);

/// <summary>
/// Anchor-free dense detection head (FCOS style): a shared conv tower, then per cell class logits (sigmoid,
/// trained with focal loss), distances to the box's left/top/right/bottom edges in strides (exp, trained with
/// GIoU loss) and a centerness logit (BCE). Finds several objects per image; decoded with
/// <see cref="Detection.DetectionDecoder"/>.
/// </summary>
public sealed class DetectionHead : Module
{
    public DetectionHead(int inChannels, int numClasses, Generator gen, int towerChannels = 128, int towerDepth = 2)
    {
        NumClasses = numClasses;
        var tower = new Sequential();
        int c = inChannels;
        for (int i = 0; i < towerDepth; i++)
        {
            var conv = new Conv2d(c, towerChannels, 3, 1, 1, generator: gen);
            Initializers.Normal(conv.Weight, 0, 0.01, gen);
            Initializers.Zeros(conv.Bias!);
            tower.Add(conv);
            tower.Add(new GroupNorm(towerChannels % 32 == 0 ? 32 : 8, towerChannels));
            tower.Add(new ReLU());
            c = towerChannels;
        }
        Tower = RegisterModule("tower", tower);
        Cls = RegisterModule("cls", new Conv2d(c, numClasses, 3, 1, 1, generator: gen));
        Box = RegisterModule("box", new Conv2d(c, 4, 3, 1, 1, generator: gen));
        Ctr = RegisterModule("ctr", new Conv2d(c, 1, 3, 1, 1, generator: gen));
        foreach (var conv in new[] { Cls, Box, Ctr })
        {
            Initializers.Normal(conv.Weight, 0, 0.01, gen);
            Initializers.Zeros(conv.Bias!);
        }
        // Start with a 1% foreground probability so the focal loss is not swamped by background at step 0.
        Initializers.Constant(Cls.Bias!, -Math.Log((1 - 0.01) / 0.01));
    }

    public int NumClasses { get; }
    public Sequential Tower { get; }
    public Conv2d Cls { get; }
    public Conv2d Box { get; }
    public Conv2d Ctr { get; }

    public DetectionMaps Forward(Tensor featureMap, int stride)
    {
        var t = Tower.Forward(featureMap);
        // Distances are exp(x), clamped so a bad step cannot overflow them.
        var box = Box.Forward(t).Clamp(max: 10).Exp();
        return new DetectionMaps(Cls.Forward(t), box, Ctr.Forward(t), stride);
    }
}
