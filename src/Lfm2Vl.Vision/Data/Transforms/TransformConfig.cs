namespace Lfm2Vl.Vision.Data;

/// <summary>How evaluation images reach the model's input size.</summary>
public enum EvalResize
{
    /// <summary>Shorter side to size * <see cref="TransformConfig.EvalResizeRatio"/> (256 for 224), then a centre crop.</summary>
    ResizeThenCenterCrop,
    /// <summary>Straight to size x size (aspect ratio not kept, nothing cut off: boxes near the edges survive).</summary>
    Resize,
}

/// <summary>
/// The augmentation settings, with the product spec's defaults: RandomResizedCrop(224),
/// RandomHorizontalFlip(0.5), ColorJitter(brightness 0.2), RandomRotation(10), ToTensor, Normalize(ImageNet).
/// Training transforms are random; evaluation transforms are deterministic.
/// </summary>
public sealed record TransformConfig
{
    public int ImageSize { get; init; } = 224;

    /// <summary>RandomResizedCrop for training; false resizes the whole image to ImageSize instead.</summary>
    public bool RandomCrop { get; init; } = true;
    public double CropScaleMin { get; init; } = 0.08;
    public double CropScaleMax { get; init; } = 1.0;
    public double CropRatioMin { get; init; } = 3.0 / 4.0;
    public double CropRatioMax { get; init; } = 4.0 / 3.0;

    public double FlipProbability { get; init; } = 0.5;

    public double Brightness { get; init; } = 0.2;
    public double Contrast { get; init; }
    public double Saturation { get; init; }
    public double Hue { get; init; }

    /// <summary>Maximum rotation in degrees either way (0 turns rotation off).</summary>
    public double RotationDegrees { get; init; } = 10;

    public bool Normalize { get; init; } = true;
    public IReadOnlyList<float> Mean { get; init; } = Data.Normalize.ImageNetMean;
    public IReadOnlyList<float> Std { get; init; } = Data.Normalize.ImageNetStd;

    public EvalResize EvalResize { get; init; } = EvalResize.ResizeThenCenterCrop;

    /// <summary>Resize-before-crop ratio for evaluation (256 / 224, torchvision's reference recipe).</summary>
    public double EvalResizeRatio { get; init; } = 256.0 / 224.0;

    public Normalize? BuildNormalize() => Normalize ? new Normalize(Mean, Std) : null;

    public TransformPipeline BuildTrain()
    {
        var steps = new List<IImageTransform>();
        steps.Add(RandomCrop
            ? new RandomResizedCrop(ImageSize, ImageSize, (CropScaleMin, CropScaleMax), (CropRatioMin, CropRatioMax))
            : new Resize(ImageSize, ImageSize));
        if (FlipProbability > 0) steps.Add(new RandomHorizontalFlip(FlipProbability));
        if (Brightness > 0 || Contrast > 0 || Saturation > 0 || Hue > 0) steps.Add(new ColorJitter(Brightness, Contrast, Saturation, Hue));
        if (RotationDegrees > 0) steps.Add(new RandomRotation(RotationDegrees));
        return new TransformPipeline(steps, ImageSize, ImageSize, BuildNormalize());
    }

    public TransformPipeline BuildEval()
    {
        IImageTransform[] steps = EvalResize switch
        {
            EvalResize.Resize => [new Resize(ImageSize, ImageSize)],
            _ => [Resize.ShorterSide((int)Math.Round(ImageSize * EvalResizeRatio)), new CenterCrop(ImageSize)],
        };
        return new TransformPipeline(steps, ImageSize, ImageSize, BuildNormalize());
    }
}
