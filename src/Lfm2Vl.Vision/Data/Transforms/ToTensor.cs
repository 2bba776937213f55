using Lfm2Vl.Engine;

namespace Lfm2Vl.Vision.Data;

/// <summary>HWC bytes to CHW floats in [0, 1] (optionally normalised in the same pass, via a lookup table).</summary>
public static class ToTensor
{
    /// <summary>Writes 3 * H * W values into <paramref name="chw"/>.</summary>
    public static void Into(ImageRgb image, Span<float> chw, Normalize? normalize = null)
    {
        int plane = image.Width * image.Height;
        if (chw.Length != 3 * plane) throw new ArgumentException($"Expected room for {3 * plane} values (3x{image.Height}x{image.Width}), got {chw.Length}.");
        Span<float> lut = stackalloc float[3 * 256];
        for (int c = 0; c < 3; c++)
            for (int v = 0; v < 256; v++)
                lut[c * 256 + v] = normalize is null ? v / 255f : normalize.Of(c, (byte)v);
        var r = chw[..plane];
        var g = chw.Slice(plane, plane);
        var b = chw.Slice(2 * plane, plane);
        byte[] p = image.Pixels;
        for (int i = 0, j = 0; i < plane; i++, j += 3)
        {
            r[i] = lut[p[j]];
            g[i] = lut[256 + p[j + 1]];
            b[i] = lut[512 + p[j + 2]];
        }
    }

    public static float[] ToArray(ImageRgb image, Normalize? normalize = null)
    {
        var a = new float[3 * image.Width * image.Height];
        Into(image, a, normalize);
        return a;
    }

    /// <summary>A [1, 3, H, W] float32 tensor (for single-image inference), owned by the current scope if any.</summary>
    public static Tensor Create(ImageRgb image, Normalize? normalize = null) =>
        Tensor.FromArray(ToArray(image, normalize), 1, 3, image.Height, image.Width);
}
