using Lfm2Vl.Engine;
using Lfm2Vl.Vision.Data;
using Lfm2Vl.Vision.Models;

namespace Lfm2Vl.Vision.Detection;

/// <summary>Thresholds for turning dense maps into detections.</summary>
public sealed record DecodeOptions(float ScoreThreshold = 0.3f, float IouThreshold = 0.5f, int PreNmsTopK = 1000, int MaxDetections = 100);

/// <summary>
/// Dense maps -> detections per image: score = sigmoid(class) * sigmoid(centerness), keep cells above the
/// threshold (top-k), boxes from the predicted edge distances clipped to the image, then per-class NMS.
/// </summary>
public static class DetectionDecoder
{
    public static List<List<DetectedObject>> Decode(DetectionMaps maps, int imageWidth, int imageHeight, DecodeOptions? options = null)
    {
        options ??= new DecodeOptions();
        using var scope = TensorScope.Begin();
        using var noGrad = GradMode.NoGrad();
        var cls = maps.ClassLogits;
        int n = cls.Size(0), k = cls.Size(1), h = cls.Size(2), w = cls.Size(3), cells = h * w;
        var scores = (cls.Sigmoid() * maps.Centerness.Sigmoid()).ToFloatArray();   // [N, K, H, W]
        var boxes = FcosTargets.DecodeBoxes(maps.BoxDistances, maps.Stride).ToFloatArray(); // [N, HW, 4]
        var result = new List<List<DetectedObject>>(n);
        for (int i = 0; i < n; i++)
        {
            var candidates = new List<DetectedObject>();
            for (int c = 0; c < k; c++)
                for (int cell = 0; cell < cells; cell++)
                {
                    float s = scores[(i * k + c) * cells + cell];
                    if (s < options.ScoreThreshold) continue;
                    int o = (i * cells + cell) * 4;
                    var box = new BoundingBox(boxes[o], boxes[o + 1], boxes[o + 2], boxes[o + 3], c).Clip(imageWidth, imageHeight);
                    if (box.Area > 0) candidates.Add(new DetectedObject(box, s));
                }
            if (candidates.Count > options.PreNmsTopK)
                candidates = candidates.OrderByDescending(d => d.Score).Take(options.PreNmsTopK).ToList();
            result.Add(Nms.Suppress(candidates, options.IouThreshold, options.MaxDetections));
        }
        return result;
    }
}
