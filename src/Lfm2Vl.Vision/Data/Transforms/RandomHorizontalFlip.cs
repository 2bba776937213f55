using Lfm2Vl.Engine;

namespace Lfm2Vl.Vision.Data;

/// <summary>Mirrors left-right with probability <see cref="Probability"/>.</summary>
public sealed class RandomHorizontalFlip : IImageTransform
{
    public RandomHorizontalFlip(double probability = 0.5)
    {
        if (probability is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(probability), "The flip probability must be in [0, 1].");
        Probability = probability;
    }

    public double Probability { get; }

    public ImageRgb Apply(ImageRgb image, List<BoundingBox> boxes, Generator rng, bool owned)
    {
        if (rng.NextDouble() >= Probability) return image;
        BoxGeometry.FlipHorizontal(boxes, image.Width);
        return Flip(image, owned);
    }

    /// <summary>The mirrored image (in place when <paramref name="inPlace"/>).</summary>
    public static ImageRgb Flip(ImageRgb image, bool inPlace)
    {
        var dst = inPlace ? image : new ImageRgb(image.Width, image.Height);
        byte[] s = image.Pixels, d = dst.Pixels;
        int w = image.Width, stride = image.Stride;
        for (int y = 0; y < image.Height; y++)
        {
            int row = y * stride;
            for (int x = 0, xr = w - 1; x <= xr; x++, xr--)
            {
                int a = row + x * 3, b = row + xr * 3;
                byte r0 = s[a], g0 = s[a + 1], b0 = s[a + 2];
                d[a] = s[b]; d[a + 1] = s[b + 1]; d[a + 2] = s[b + 2];
                d[b] = r0; d[b + 1] = g0; d[b + 2] = b0;
            }
        }
        return dst;
    }
}
