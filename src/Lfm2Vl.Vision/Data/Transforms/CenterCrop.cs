using Lfm2Vl.Engine;

namespace Lfm2Vl.Vision.Data;

/// <summary>Crops the centre (top = round((H - h) / 2), as torchvision); a crop larger than the image is
/// padded with black.</summary>
public sealed class CenterCrop : IImageTransform
{
    public CenterCrop(int width, int height)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), $"CenterCrop needs a positive size, not {width}x{height}.");
        Width = width;
        Height = height;
    }

    public CenterCrop(int size) : this(size, size) { }

    public int Width { get; }
    public int Height { get; }

    public static int Offset(int size, int crop) => crop > size ? -((crop - size) / 2) : (int)Math.Round((size - crop) / 2.0, MidpointRounding.ToEven);

    public ImageRgb Apply(ImageRgb image, List<BoundingBox> boxes, Generator rng, bool owned)
    {
        if (image.Width == Width && image.Height == Height) return image;
        int x0 = Offset(image.Width, Width), y0 = Offset(image.Height, Height);
        BoxGeometry.CropAndScale(boxes, x0, y0, Width, Height, Width, Height);
        return Crop(image, x0, y0, Width, Height);
    }

    /// <summary>Copies [x0, x0+w) x [y0, y0+h); parts outside the image are black.</summary>
    public static ImageRgb Crop(ImageRgb src, int x0, int y0, int w, int h)
    {
        var dst = new ImageRgb(w, h);
        int xa = Math.Max(x0, 0), xb = Math.Min(x0 + w, src.Width);
        if (xb <= xa) return dst;
        for (int y = 0; y < h; y++)
        {
            int sy = y0 + y;
            if (sy < 0 || sy >= src.Height) continue;
            Array.Copy(src.Pixels, (sy * src.Width + xa) * 3, dst.Pixels, (y * w + xa - x0) * 3, (xb - xa) * 3);
        }
        return dst;
    }
}
