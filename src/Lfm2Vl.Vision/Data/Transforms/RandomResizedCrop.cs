using Lfm2Vl.Engine;

namespace Lfm2Vl.Vision.Data;

/// <summary>
/// Crops a random region of random area (a fraction in <c>scale</c> of the image) and aspect ratio
/// (log-uniform in <c>ratio</c>), then resizes it to the output size: torchvision's algorithm, including
/// its ten attempts and its fall-back to a central crop.
/// </summary>
public sealed class RandomResizedCrop : IImageTransform
{
    public RandomResizedCrop(int width, int height, (double Min, double Max)? scale = null, (double Min, double Max)? ratio = null)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"RandomResizedCrop needs a positive size, not {width}x{height}.");
        Width = width;
        Height = height;
        Scale = scale ?? (0.08, 1.0);
        Ratio = ratio ?? (3.0 / 4.0, 4.0 / 3.0);
        if (Scale.Min <= 0 || Scale.Min > Scale.Max) throw new ArgumentException($"Scale range {Scale} must satisfy 0 < min <= max.", nameof(scale));
        if (Ratio.Min <= 0 || Ratio.Min > Ratio.Max) throw new ArgumentException($"Ratio range {Ratio} must satisfy 0 < min <= max.", nameof(ratio));
    }

    public RandomResizedCrop(int size) : this(size, size) { }

    public int Width { get; }
    public int Height { get; }
    public (double Min, double Max) Scale { get; }
    public (double Min, double Max) Ratio { get; }

    /// <summary>The crop region (left, top, width, height) for an image of the given size.</summary>
    public (int X, int Y, int W, int H) SampleRegion(int width, int height, Generator rng)
    {
        double area = (double)width * height;
        double logLo = Math.Log(Ratio.Min), logHi = Math.Log(Ratio.Max);
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double target = area * rng.NextUniform(Scale.Min, Scale.Max);
            double aspect = Math.Exp(rng.NextUniform(logLo, logHi));
            int w = (int)Math.Round(Math.Sqrt(target * aspect));
            int h = (int)Math.Round(Math.Sqrt(target / aspect));
            if (w > 0 && w <= width && h > 0 && h <= height)
            {
                int top = rng.NextInt(height - h + 1);
                int left = rng.NextInt(width - w + 1);
                return (left, top, w, h);
            }
        }
        double inRatio = (double)width / height;
        int cw, ch;
        if (inRatio < Ratio.Min) { cw = width; ch = (int)Math.Round(cw / Ratio.Min); }
        else if (inRatio > Ratio.Max) { ch = height; cw = (int)Math.Round(ch * Ratio.Max); }
        else { cw = width; ch = height; }
        cw = Math.Clamp(cw, 1, width);
        ch = Math.Clamp(ch, 1, height);
        return ((width - cw) / 2, (height - ch) / 2, cw, ch);
    }

    public ImageRgb Apply(ImageRgb image, List<BoundingBox> boxes, Generator rng, bool owned)
    {
        var (x, y, w, h) = SampleRegion(image.Width, image.Height, rng);
        BoxGeometry.CropAndScale(boxes, x, y, w, h, Width, Height);
        return Resampler.ResizeRegion(image, x, y, w, h, Width, Height);
    }
}
