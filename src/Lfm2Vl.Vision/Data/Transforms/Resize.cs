using Lfm2Vl.Engine;

namespace Lfm2Vl.Vision.Data;

/// <summary>Bilinear resize to a fixed size, or (with <see cref="ShorterSide"/>) so that the shorter side
/// has a given length and the aspect ratio is kept, as torchvision's <c>Resize(int)</c>.</summary>
public sealed class Resize : IImageTransform
{
    private readonly int _width, _height, _shorter;

    public Resize(int width, int height)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"Resize needs a positive size, not {width}x{height}.");
        (_width, _height) = (width, height);
    }

    private Resize(int shorter) => _shorter = shorter;

    /// <summary>Shorter side to <paramref name="size"/>, longer side to floor(size * long / short).</summary>
    public static Resize ShorterSide(int size) =>
        size > 0 ? new Resize(size) : throw new ArgumentOutOfRangeException(nameof(size), "The shorter side must be positive.");

    public (int Width, int Height) OutputSize(int width, int height)
    {
        if (_shorter == 0) return (_width, _height);
        return width <= height
            ? (_shorter, (int)((long)_shorter * height / width))
            : ((int)((long)_shorter * width / height), _shorter);
    }

    public ImageRgb Apply(ImageRgb image, List<BoundingBox> boxes, Generator rng, bool owned)
    {
        var (w, h) = OutputSize(image.Width, image.Height);
        if (w == image.Width && h == image.Height) return image;
        BoxGeometry.CropAndScale(boxes, 0, 0, image.Width, image.Height, w, h);
        return Resampler.Resize(image, w, h);
    }
}
