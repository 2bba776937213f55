using Lfm2Vl.Vision.Data;

namespace Lfm2Vl.Training.Evaluation;

/// <summary>
/// Where the evaluation transforms put an image of a given size: input = original * Scale - Offset, per axis
/// (a resize, then for <see cref="EvalResize.ResizeThenCenterCrop"/> a centre crop). Inverting it takes boxes
/// predicted on the model's input back to the original image's pixels. Mirrors TransformConfig.BuildEval.
/// </summary>
public readonly record struct EvalGeometry(int OriginalWidth, int OriginalHeight, double ScaleX, double ScaleY, double OffsetX, double OffsetY)
{
    public static EvalGeometry For(TransformConfig config, int width, int height)
    {
        int size = config.ImageSize;
        if (config.EvalResize == EvalResize.Resize)
            return new EvalGeometry(width, height, (double)size / width, (double)size / height, 0, 0);
        var (rw, rh) = Resize.ShorterSide((int)Math.Round(size * config.EvalResizeRatio)).OutputSize(width, height);
        return new EvalGeometry(width, height, (double)rw / width, (double)rh / height,
            CenterCrop.Offset(rw, size), CenterCrop.Offset(rh, size));
    }

    /// <summary>A box of the original image in input pixels (not clipped).</summary>
    public BoundingBox ToInput(BoundingBox b) => new(
        (float)(b.X1 * ScaleX - OffsetX), (float)(b.Y1 * ScaleY - OffsetY),
        (float)(b.X2 * ScaleX - OffsetX), (float)(b.Y2 * ScaleY - OffsetY), b.Label);

    /// <summary>A box in input pixels back in the original image's pixels, clipped to the image.</summary>
    public BoundingBox ToOriginal(BoundingBox b) => new BoundingBox(
        (float)((b.X1 + OffsetX) / ScaleX), (float)((b.Y1 + OffsetY) / ScaleY),
        (float)((b.X2 + OffsetX) / ScaleX), (float)((b.Y2 + OffsetY) / ScaleY), b.Label).Clip(OriginalWidth, OriginalHeight);
}
