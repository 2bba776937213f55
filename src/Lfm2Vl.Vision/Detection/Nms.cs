using Lfm2Vl.Vision.Data;

namespace Lfm2Vl.Vision.Detection;

/// <summary>One detected object: a box in input pixels, its class and its score in [0, 1].</summary>
public readonly record struct DetectedObject(BoundingBox Box, float Score)
{
    public int Label => Box.Label;
}

/// <summary>Intersection over union and greedy non-maximum suppression.</summary>
public static class Nms
{
    public static float Iou(in BoundingBox a, in BoundingBox b)
    {
        float iw = Math.Min(a.X2, b.X2) - Math.Max(a.X1, b.X1);
        float ih = Math.Min(a.Y2, b.Y2) - Math.Max(a.Y1, b.Y1);
        if (iw <= 0 || ih <= 0) return 0;
        float inter = iw * ih;
        float union = a.Area + b.Area - inter;
        return union > 0 ? inter / union : 0;
    }

    /// <summary>
    /// Keeps the highest-scoring boxes, dropping any box that overlaps a kept box of the same class by more than
    /// <paramref name="iouThreshold"/> (classAgnostic: of any class). Returns at most maxDetections, best first.
    /// </summary>
    public static List<DetectedObject> Suppress(IEnumerable<DetectedObject> candidates, float iouThreshold, int maxDetections = 100, bool classAgnostic = false)
    {
        var sorted = candidates.OrderByDescending(c => c.Score).ToList();
        var kept = new List<DetectedObject>();
        foreach (var c in sorted)
        {
            if (kept.Count >= maxDetections) break;
            bool suppressed = false;
            foreach (var k in kept)
                if ((classAgnostic || k.Label == c.Label) && Iou(k.Box, c.Box) > iouThreshold) { suppressed = true; break; }
            if (!suppressed) kept.Add(c);
        }
        return kept;
    }
}
