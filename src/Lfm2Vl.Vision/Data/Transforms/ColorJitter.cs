using Lfm2Vl.Engine;

namespace Lfm2Vl.Vision.Data;

/// <summary>
/// Random brightness, contrast, saturation and hue changes in a random order, as torchvision's
/// ColorJitter: factors are uniform in [max(0, 1 - x), 1 + x] for brightness, contrast and saturation, the
/// hue shift uniform in [-hue, hue] (a fraction of the colour wheel, hue ≤ 0.5). Boxes are unchanged.
/// </summary>
public sealed class ColorJitter : IImageTransform
{
    public ColorJitter(double brightness = 0, double contrast = 0, double saturation = 0, double hue = 0)
    {
        if (brightness < 0 || contrast < 0 || saturation < 0) throw new ArgumentOutOfRangeException(nameof(brightness), "Jitter strengths must be non-negative.");
        if (hue is < 0 or > 0.5) throw new ArgumentOutOfRangeException(nameof(hue), "The hue jitter must be in [0, 0.5].");
        (Brightness, Contrast, Saturation, Hue) = (brightness, contrast, saturation, hue);
    }

    public double Brightness { get; }
    public double Contrast { get; }
    public double Saturation { get; }
    public double Hue { get; }

    public ImageRgb Apply(ImageRgb image, List<BoundingBox> boxes, Generator rng, bool owned)
    {
        if (Brightness == 0 && Contrast == 0 && Saturation == 0 && Hue == 0) return image;
        Span<int> order = [0, 1, 2, 3];
        rng.Shuffle(order);
        var dst = owned ? image : image.Clone();
        foreach (int op in order)
        {
            switch (op)
            {
                case 0 when Brightness > 0: AdjustBrightness(dst, Factor(Brightness, rng)); break;
                case 1 when Contrast > 0: AdjustContrast(dst, Factor(Contrast, rng)); break;
                case 2 when Saturation > 0: AdjustSaturation(dst, Factor(Saturation, rng)); break;
                case 3 when Hue > 0: AdjustHue(dst, rng.NextUniform(-Hue, Hue)); break;
            }
        }
        return dst;
    }

    private static double Factor(double strength, Generator rng) => rng.NextUniform(Math.Max(0, 1 - strength), 1 + strength);

    /// <summary>Scales every channel by <paramref name="factor"/> (blend with black).</summary>
    public static void AdjustBrightness(ImageRgb image, double factor) => Blend(image, factor, 0);

    /// <summary>Blends with the image's mean grey level.</summary>
    public static void AdjustContrast(ImageRgb image, double factor)
    {
        byte[] p = image.Pixels;
        double sum = 0;
        for (int i = 0; i < p.Length; i += 3) sum += Gray(p[i], p[i + 1], p[i + 2]);
        Blend(image, factor, sum / (p.Length / 3));
    }

    /// <summary>Blends each pixel with its own grey level (0 gives greyscale).</summary>
    public static void AdjustSaturation(ImageRgb image, double factor)
    {
        byte[] p = image.Pixels;
        float f = (float)factor, k = 1 - f;
        for (int i = 0; i < p.Length; i += 3)
        {
            float g = k * Gray(p[i], p[i + 1], p[i + 2]);
            p[i] = Resampler.ToByte(f * p[i] + g);
            p[i + 1] = Resampler.ToByte(f * p[i + 1] + g);
            p[i + 2] = Resampler.ToByte(f * p[i + 2] + g);
        }
    }

    /// <summary>Rotates hue by <paramref name="shift"/> turns (in [-0.5, 0.5]), keeping saturation and value.</summary>
    public static void AdjustHue(ImageRgb image, double shift)
    {
        byte[] p = image.Pixels;
        float s6 = (float)(shift * 6);
        for (int i = 0; i < p.Length; i += 3)
        {
            float r = p[i], g = p[i + 1], b = p[i + 2];
            float max = Math.Max(r, Math.Max(g, b)), min = Math.Min(r, Math.Min(g, b));
            float chroma = max - min;
            if (chroma == 0) continue; // grey has no hue
            float h = max == r ? (g - b) / chroma : max == g ? 2 + (b - r) / chroma : 4 + (r - g) / chroma; // [-1, 5)
            h += s6;
            h -= 6 * MathF.Floor(h / 6); // [0, 6)
            float x = chroma * (1 - MathF.Abs(h % 2 - 1));
            (float r1, float g1, float b1) = (int)h switch
            {
                0 => (chroma, x, 0f),
                1 => (x, chroma, 0f),
                2 => (0f, chroma, x),
                3 => (0f, x, chroma),
                4 => (x, 0f, chroma),
                _ => (chroma, 0f, x),
            };
            p[i] = Resampler.ToByte(r1 + min);
            p[i + 1] = Resampler.ToByte(g1 + min);
            p[i + 2] = Resampler.ToByte(b1 + min);
        }
    }

    /// <summary>ITU-R 601 luma, as torchvision's rgb_to_grayscale.</summary>
    internal static float Gray(float r, float g, float b) => 0.299f * r + 0.587f * g + 0.114f * b;

    /// <summary>v -> factor * v + (1 - factor) * other, through a 256-entry table.</summary>
    private static void Blend(ImageRgb image, double factor, double other)
    {
        Span<byte> lut = stackalloc byte[256];
        for (int v = 0; v < 256; v++) lut[v] = Resampler.ToByte((float)(factor * v + (1 - factor) * other));
        byte[] p = image.Pixels;
        for (int i = 0; i < p.Length; i++) p[i] = lut[p[i]];
    }
}
