using Lfm2Vl.Engine;

namespace Lfm2Vl.Vision.Data;

/// <summary>
/// Image transforms applied in order, then ToTensor (and Normalize): the result is a 3 x H x W float
/// block of the configured output size, with the boxes mapped along. The input image is never modified.
/// </summary>
public sealed class TransformPipeline
{
    private readonly IImageTransform[] _transforms;

    public TransformPipeline(IEnumerable<IImageTransform> transforms, int outputWidth, int outputHeight, Normalize? normalize = null)
    {
        if (outputWidth <= 0 || outputHeight <= 0) throw new ArgumentOutOfRangeException(nameof(outputWidth), $"Output size {outputWidth}x{outputHeight} must be positive.");
        _transforms = transforms.ToArray();
        OutputWidth = outputWidth;
        OutputHeight = outputHeight;
        Normalize = normalize;
    }

    public IReadOnlyList<IImageTransform> Transforms => _transforms;
    public int OutputWidth { get; }
    public int OutputHeight { get; }
    public Normalize? Normalize { get; }

    /// <summary>Floats per transformed image (3 * H * W).</summary>
    public int ValuesPerImage => 3 * OutputWidth * OutputHeight;

    /// <summary>Runs the image transforms (not ToTensor); <paramref name="boxes"/> is rewritten in place.</summary>
    public ImageRgb ApplyImage(ImageRgb image, List<BoundingBox> boxes, Generator rng)
    {
        BoxGeometry.ClipAndDrop(boxes, image.Width, image.Height);
        var current = image;
        foreach (var t in _transforms)
            current = t.Apply(current, boxes, rng, owned: !ReferenceEquals(current, image));
        return current;
    }

    /// <summary>Transforms one sample into <paramref name="chw"/> (3 * H * W values); its boxes go to <paramref name="boxes"/>.</summary>
    public void Apply(LabeledImage sample, Generator rng, Span<float> chw, List<BoundingBox> boxes)
    {
        boxes.Clear();
        boxes.AddRange(sample.Boxes);
        var result = ApplyImage(sample.Image, boxes, rng);
        if (result.Width != OutputWidth || result.Height != OutputHeight)
            throw new InvalidOperationException(
                $"The transforms produced a {result.Width}x{result.Height} image but the pipeline's output size is {OutputWidth}x{OutputHeight}; " +
                "end the pipeline with a Resize, CenterCrop or RandomResizedCrop of that size.");
        ToTensor.Into(result, chw, Normalize);
    }
}
