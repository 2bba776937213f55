using Lfm2Vl.Engine;

namespace Lfm2Vl.Vision.Data;

/// <summary>
/// Rotates about the image centre by an angle uniform in [min, max] degrees (positive is counter-clockwise
/// on screen, as torchvision), keeping the size, with bilinear sampling and black outside the source.
/// Each box becomes the bounding box of its rotated corners, clipped to the image.
/// </summary>
public sealed class RandomRotation : IImageTransform
{
    public RandomRotation(double degrees) : this(-Math.Abs(degrees), Math.Abs(degrees)) { }

    public RandomRotation(double minDegrees, double maxDegrees)
    {
        if (minDegrees > maxDegrees) throw new ArgumentException($"Rotation range [{minDegrees}, {maxDegrees}] is empty.");
        (MinDegrees, MaxDegrees) = (minDegrees, maxDegrees);
    }

    public double MinDegrees { get; }
    public double MaxDegrees { get; }

    public ImageRgb Apply(ImageRgb image, List<BoundingBox> boxes, Generator rng, bool owned)
    {
        double angle = rng.NextUniform(MinDegrees, MaxDegrees);
        if (angle == 0) return image;
        BoxGeometry.Rotate(boxes, image.Width, image.Height, angle);
        return Rotate(image, angle);
    }

    /// <summary>The image rotated by <paramref name="degrees"/> (same size, black corners).</summary>
    public static ImageRgb Rotate(ImageRgb src, double degrees)
    {
        int w = src.Width, h = src.Height;
        var dst = new ImageRgb(w, h);
        double a = degrees * Math.PI / 180, cos = Math.Cos(a), sin = Math.Sin(a);
        double cx = w / 2.0, cy = h / 2.0;
        byte[] s = src.Pixels, d = dst.Pixels;
        int stride = src.Stride;
        for (int y = 0; y < h; y++)
        {
            double dy = y + 0.5 - cy, dx0 = 0.5 - cx;
            // Source position (minus the half-pixel, so integer values are pixel indices) of output x = 0;
            // it moves by (cos, sin) per output pixel.
            double u = cx + cos * dx0 - sin * dy - 0.5;
            double v = cy + sin * dx0 + cos * dy - 0.5;
            int o = y * stride;
            for (int x = 0; x < w; x++, u += cos, v += sin, o += 3)
            {
                if (u < -0.5 || v < -0.5 || u > w - 0.5 || v > h - 0.5) continue; // stays black
                int x0 = (int)Math.Floor(u), y0 = (int)Math.Floor(v);
                float fx = (float)(u - x0), fy = (float)(v - y0);
                int xa = Math.Clamp(x0, 0, w - 1), xb = Math.Clamp(x0 + 1, 0, w - 1);
                int ya = Math.Clamp(y0, 0, h - 1), yb = Math.Clamp(y0 + 1, 0, h - 1);
                int p00 = ya * stride + xa * 3, p01 = ya * stride + xb * 3, p10 = yb * stride + xa * 3, p11 = yb * stride + xb * 3;
                float w00 = (1 - fx) * (1 - fy), w01 = fx * (1 - fy), w10 = (1 - fx) * fy, w11 = fx * fy;
                for (int c = 0; c < 3; c++)
                    d[o + c] = Resampler.ToByte(s[p00 + c] * w00 + s[p01 + c] * w01 + s[p10 + c] * w10 + s[p11 + c] * w11);
            }
        }
        return dst;
    }
}
