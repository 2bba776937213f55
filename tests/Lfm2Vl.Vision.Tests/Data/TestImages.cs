using Lfm2Vl.Engine;
using Lfm2Vl.Vision.Data;

namespace Lfm2Vl.Vision.Tests.Data;

internal static class TestImages
{
    /// <summary>Pixel (x, y) = (x * 7 + y, y * 5 + x, x ^ y) mod 256: every pixel tells where it came from.</summary>
    public static ImageRgb Pattern(int w, int h)
    {
        var img = new ImageRgb(w, h);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                img.SetPixel(x, y, (byte)(x * 7 + y), (byte)(y * 5 + x), (byte)(x ^ y));
        return img;
    }

    public static ImageRgb Solid(int w, int h, byte r, byte g, byte b)
    {
        var img = new ImageRgb(w, h);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) img.SetPixel(x, y, r, g, b);
        return img;
    }

    public static ImageRgb Random(int w, int h, ulong seed)
    {
        var rng = new Generator(seed);
        var img = new ImageRgb(w, h);
        for (int i = 0; i < img.Pixels.Length; i++) img.Pixels[i] = (byte)rng.NextInt(256);
        return img;
    }

    /// <summary>Writes a valid image file of the given format.</summary>
    public static void Write(string path, int w = 20, int h = 16, ulong seed = 1) =>
        ImageEncoder.Save(Random(w, h, seed), path);
}
