using Lfm2Vl.Engine;

namespace Lfm2Vl.Vision.Data;

/// <summary>Fills an image with a solid colour, a linear gradient between two colours, or noise around a colour.</summary>
internal static class BackgroundPainter
{
    /// <summary>Paints and returns the background's average colour (for picking contrasting objects).</summary>
    public static (byte R, byte G, byte B) Paint(ImageRgb image, SyntheticBackground kind, Generator rng)
    {
        var a = RandomColor(rng);
        byte[] p = image.Pixels;
        switch (kind)
        {
            case SyntheticBackground.Solid:
                for (int i = 0; i < p.Length; i += 3) { p[i] = a.R; p[i + 1] = a.G; p[i + 2] = a.B; }
                return a;
            case SyntheticBackground.Gradient:
            {
                var b = RandomColor(rng);
                double angle = rng.NextUniform(0, 2 * Math.PI), dx = Math.Cos(angle), dy = Math.Sin(angle);
                double span = Math.Abs(dx) * image.Width + Math.Abs(dy) * image.Height;
                double start = Math.Min(0, dx * image.Width) + Math.Min(0, dy * image.Height);
                for (int y = 0; y < image.Height; y++)
                    for (int x = 0; x < image.Width; x++)
                    {
                        double t = ((x + 0.5) * dx + (y + 0.5) * dy - start) / span;
                        image.SetPixel(x, y, Lerp(a.R, b.R, t), Lerp(a.G, b.G, t), Lerp(a.B, b.B, t));
                    }
                return (Lerp(a.R, b.R, 0.5), Lerp(a.G, b.G, 0.5), Lerp(a.B, b.B, 0.5));
            }
            case SyntheticBackground.Noise:
            {
                const int amplitude = 40;
                for (int i = 0; i < p.Length; i += 3)
                {
                    p[i] = Jitter(a.R, rng, amplitude);
                    p[i + 1] = Jitter(a.G, rng, amplitude);
                    p[i + 2] = Jitter(a.B, rng, amplitude);
                }
                return a;
            }
            default: throw new ArgumentOutOfRangeException(nameof(kind));
        }
    }

    public static (byte R, byte G, byte B) RandomColor(Generator rng) => ((byte)rng.NextInt(256), (byte)rng.NextInt(256), (byte)rng.NextInt(256));

    /// <summary>A random colour at least <paramref name="minDistance"/> (Euclidean RGB) from <paramref name="avoid"/>.</summary>
    public static (byte R, byte G, byte B) ContrastingColor(Generator rng, (byte R, byte G, byte B) avoid, double minDistance = 120)
    {
        var best = RandomColor(rng);
        for (int attempt = 0; attempt < 50 && Distance(best, avoid) < minDistance; attempt++)
        {
            var c = RandomColor(rng);
            if (Distance(c, avoid) > Distance(best, avoid)) best = c;
        }
        return best;
    }

    public static double Distance((byte R, byte G, byte B) a, (byte R, byte G, byte B) b)
    {
        double dr = a.R - b.R, dg = a.G - b.G, db = a.B - b.B;
        return Math.Sqrt(dr * dr + dg * dg + db * db);
    }

    private static byte Lerp(byte a, byte b, double t) => (byte)Math.Round(a + (b - a) * Math.Clamp(t, 0, 1));

    private static byte Jitter(byte v, Generator rng, int amplitude) => (byte)Math.Clamp(v + rng.NextInt(2 * amplitude + 1) - amplitude, 0, 255);
}
