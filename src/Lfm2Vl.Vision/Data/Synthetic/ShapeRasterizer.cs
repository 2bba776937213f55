namespace Lfm2Vl.Vision.Data;

/// <summary>
/// Draws one shape, without anti-aliasing, inside the square [left, left+size) x [top, top+size): a pixel
/// is painted when its centre is inside the shape. Returns the tight box of the painted pixels, so a box
/// always contains all of its object and touches it on every side.
/// </summary>
internal static class ShapeRasterizer
{
    public static BoundingBox? Draw(ImageRgb image, SyntheticShape shape, int left, int top, int size,
        (byte R, byte G, byte B) fill, (byte R, byte G, byte B) detail, int label)
    {
        int minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1;
        double s = size, cx = left + s / 2, cy = top + s / 2;
        for (int y = Math.Max(top, 0); y < Math.Min(top + size, image.Height); y++)
        {
            for (int x = Math.Max(left, 0); x < Math.Min(left + size, image.Width); x++)
            {
                double u = (x + 0.5 - cx) / s, v = (y + 0.5 - cy) / s; // in [-0.5, 0.5]
                int paint = Classify(shape, u, v);
                if (paint == 0) continue;
                var c = paint == 1 ? fill : detail;
                image.SetPixel(x, y, c.R, c.G, c.B);
                if (x < minX) minX = x;
                if (x > maxX) maxX = x;
                if (y < minY) minY = y;
                if (y > maxY) maxY = y;
            }
        }
        return maxX < 0 ? null : new BoundingBox(minX, minY, maxX + 1, maxY + 1, label);
    }

    /// <summary>0 = outside, 1 = body, 2 = detail (the face's eyes and mouth); u, v in [-0.5, 0.5].</summary>
    private static int Classify(SyntheticShape shape, double u, double v) => shape switch
    {
        SyntheticShape.Circle => u * u + v * v <= 0.25 ? 1 : 0,
        SyntheticShape.Square => 1,
        // apex at the top centre, base along the bottom edge
        SyntheticShape.Triangle => v >= -0.5 + 2 * Math.Abs(u) ? 1 : 0,
        SyntheticShape.Cross => Math.Abs(u) <= 1.0 / 6 || Math.Abs(v) <= 1.0 / 6 ? 1 : 0,
        SyntheticShape.Face => Face(u, v),
        _ => 0,
    };

    private static int Face(double u, double v)
    {
        const double rx = 0.4, ry = 0.5;
        if (u * u / (rx * rx) + v * v / (ry * ry) > 1) return 0;
        double eye = 0.07 * 0.07;
        if ((u + 0.15) * (u + 0.15) + (v + 0.12) * (v + 0.12) <= eye) return 2;
        if ((u - 0.15) * (u - 0.15) + (v + 0.12) * (v + 0.12) <= eye) return 2;
        // the mouth: the lower half of a flat ellipse, a smile
        double mu = u / 0.2, mv = (v - 0.15) / 0.1;
        if (mv >= 0 && mu * mu + mv * mv <= 1) return 2;
        return 1;
    }
}
