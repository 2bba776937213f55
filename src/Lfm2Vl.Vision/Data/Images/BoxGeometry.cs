namespace Lfm2Vl.Vision.Data;

/// <summary>How geometric transforms move boxes. Every function clips to the new image and drops boxes
/// whose clipped area is under one pixel, so a box never points outside its image.</summary>
public static class BoxGeometry
{
    /// <summary>Smallest area (square pixels) a box keeps after a transform.</summary>
    public const float MinArea = 1f;

    /// <summary>Crops the source region [x0, x0+cropW) x [y0, y0+cropH) and scales it to outW x outH.</summary>
    public static void CropAndScale(List<BoundingBox> boxes, float x0, float y0, float cropW, float cropH, int outW, int outH)
    {
        float sx = outW / cropW, sy = outH / cropH;
        for (int i = 0; i < boxes.Count; i++)
        {
            var b = boxes[i];
            boxes[i] = new BoundingBox((b.X1 - x0) * sx, (b.Y1 - y0) * sy, (b.X2 - x0) * sx, (b.Y2 - y0) * sy, b.Label);
        }
        ClipAndDrop(boxes, outW, outH);
    }

    /// <summary>Mirror left-right in an image of the given width.</summary>
    public static void FlipHorizontal(List<BoundingBox> boxes, int width)
    {
        for (int i = 0; i < boxes.Count; i++)
        {
            var b = boxes[i];
            boxes[i] = new BoundingBox(width - b.X2, b.Y1, width - b.X1, b.Y2, b.Label);
        }
    }

    /// <summary>Rotates about the image centre (counter-clockwise on screen for positive degrees, same size
    /// output); each box becomes the bounding box of its rotated corners, clipped.</summary>
    public static void Rotate(List<BoundingBox> boxes, int width, int height, double degrees)
    {
        double a = degrees * Math.PI / 180, cos = Math.Cos(a), sin = Math.Sin(a);
        double cx = width / 2.0, cy = height / 2.0;
        Span<double> xs = stackalloc double[4], ys = stackalloc double[4];
        for (int i = 0; i < boxes.Count; i++)
        {
            var b = boxes[i];
            xs[0] = b.X1; ys[0] = b.Y1; xs[1] = b.X2; ys[1] = b.Y1; xs[2] = b.X1; ys[2] = b.Y2; xs[3] = b.X2; ys[3] = b.Y2;
            double minX = double.MaxValue, minY = double.MaxValue, maxX = double.MinValue, maxY = double.MinValue;
            for (int k = 0; k < 4; k++)
            {
                double dx = xs[k] - cx, dy = ys[k] - cy;
                double rx = cx + cos * dx + sin * dy, ry = cy - sin * dx + cos * dy;
                minX = Math.Min(minX, rx); maxX = Math.Max(maxX, rx);
                minY = Math.Min(minY, ry); maxY = Math.Max(maxY, ry);
            }
            boxes[i] = new BoundingBox((float)minX, (float)minY, (float)maxX, (float)maxY, b.Label);
        }
        ClipAndDrop(boxes, width, height);
    }

    /// <summary>Clips every box to the image and removes those left with less than <see cref="MinArea"/>.</summary>
    public static void ClipAndDrop(List<BoundingBox> boxes, int width, int height)
    {
        int w = 0;
        for (int i = 0; i < boxes.Count; i++)
        {
            var c = boxes[i].Clip(width, height);
            if (c.Area >= MinArea) boxes[w++] = c;
        }
        boxes.RemoveRange(w, boxes.Count - w);
    }
}
