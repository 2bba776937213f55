namespace Lfm2Vl.Vision.Data;

/// <summary>
/// An 8-bit RGB image stored row by row, pixel by pixel, channel by channel (HWC). The pixel array is
/// exactly <c>Width * Height * 3</c> bytes. Transforms never modify an image they did not create, so a
/// decoded image can be cached and shared between threads.
/// </summary>
public sealed class ImageRgb
{
    public ImageRgb(int width, int height, byte[] pixels)
    {
        if (width <= 0 || height <= 0)
            throw new ArgumentOutOfRangeException(nameof(width), $"An image needs a positive size, not {width}x{height}.");
        ArgumentNullException.ThrowIfNull(pixels);
        if (pixels.Length != checked(width * height * 3))
            throw new ArgumentException($"A {width}x{height} RGB image has {width * height * 3} bytes, not {pixels.Length}.", nameof(pixels));
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    /// <summary>A black image.</summary>
    public ImageRgb(int width, int height) : this(width, height, new byte[checked(width * height * 3)]) { }

    public int Width { get; }
    public int Height { get; }

    /// <summary>HWC bytes: pixel (x, y) channel c is at <c>(y * Width + x) * 3 + c</c>.</summary>
    public byte[] Pixels { get; }

    public int Stride => Width * 3;

    public ImageRgb Clone() => new(Width, Height, (byte[])Pixels.Clone());

    public (byte R, byte G, byte B) GetPixel(int x, int y)
    {
        int i = (y * Width + x) * 3;
        return (Pixels[i], Pixels[i + 1], Pixels[i + 2]);
    }

    public void SetPixel(int x, int y, byte r, byte g, byte b)
    {
        int i = (y * Width + x) * 3;
        Pixels[i] = r; Pixels[i + 1] = g; Pixels[i + 2] = b;
    }

    public override string ToString() => $"ImageRgb {Width}x{Height}";
}
