using Lfm2Vl.Engine;
using Lfm2Vl.Vision.Data;
using Lfm2Vl.Vision.Detection;
using Lfm2Vl.Vision.Models;
using Xunit;

namespace Lfm2Vl.Vision.Tests.Detection;

public class NmsAndDecodingTests
{
    [Fact]
    public void IouOfHandCheckedBoxes()
    {
        var a = new BoundingBox(0, 0, 10, 10, 0);
        var b = new BoundingBox(5, 0, 15, 10, 0);       // half overlap: 50 / 150
        Assert.Equal(1f / 3, Nms.Iou(a, b), 6);
        Assert.Equal(1f, Nms.Iou(a, a), 6);
        Assert.Equal(0f, Nms.Iou(a, new BoundingBox(10, 10, 20, 20, 0)));
        Assert.Equal(25f / 100, Nms.Iou(a, new BoundingBox(0, 0, 5, 5, 0)), 6);
    }

    [Fact]
    public void NmsKeepsBestPerClusterAndClassesApart()
    {
        var dets = new[]
        {
            new DetectedObject(new BoundingBox(0, 0, 10, 10, 0), 0.9f),
            new DetectedObject(new BoundingBox(1, 1, 11, 11, 0), 0.8f),   // IoU 0.68 with the first: suppressed
            new DetectedObject(new BoundingBox(1, 1, 11, 11, 1), 0.7f),   // other class: kept
            new DetectedObject(new BoundingBox(20, 20, 30, 30, 0), 0.6f), // far away: kept
            new DetectedObject(new BoundingBox(5, 0, 15, 10, 0), 0.5f),   // IoU 1/3 with the first: kept at 0.5
        };
        var kept = Nms.Suppress(dets, 0.5f);
        Assert.Equal(new[] { 0.9f, 0.7f, 0.6f, 0.5f }, kept.Select(k => k.Score));
        var agnostic = Nms.Suppress(dets, 0.5f, classAgnostic: true);
        Assert.Equal(new[] { 0.9f, 0.6f, 0.5f }, agnostic.Select(k => k.Score));
        Assert.Single(Nms.Suppress(dets, 0.5f, maxDetections: 1));
    }

    [Fact]
    public void TargetsAssignCentreCellsToTheSmallestBox()
    {
        // 6x6 map, stride 8 (48x48 image). A big box covering everything and a small one around cell (1,1).
        var boxes = new List<IReadOnlyList<BoundingBox>> { new[] { new BoundingBox(0, 0, 48, 48, 0), new BoundingBox(8, 8, 16, 16, 1) } };
        var t = FcosTargets.Build(boxes, 2, 6, 6, 8, DType.Float32, Device.Cpu);
        var cls = t.Classes.ToFloatArray();                 // [1, 2, 6, 6]
        Assert.Equal(1f, cls[36 + 1 * 6 + 1]);              // class 1 at (1,1): the smaller box wins
        Assert.Equal(0f, cls[1 * 6 + 1]);                   // and class 0 is not also set there
        Assert.Equal(1f, cls[2 * 6 + 2]);                   // class 0 at (2,2): 4 px from the big box centre
        Assert.Equal(0f, cls[0]);                           // corner (0,0): 20 px from the centre > 1.5 strides
        var ctr = t.Centerness.ToFloatArray();
        Assert.Equal(1f, ctr[1 * 6 + 1], 5);                 // cell centre = small box centre
        Assert.Equal((int)t.Positive.Sum().Item(), t.NumPositive);
    }

    [Fact]
    public void DecodingPerfectMapsRecoversTheBoxes()
    {
        // Build maps that predict exactly the targets: logits +10 on positives, distances from the target boxes.
        var gt = new BoundingBox(4, 6, 20, 26, 1);
        var boxes = new List<IReadOnlyList<BoundingBox>> { new[] { gt } };
        int h = 4, w = 4, stride = 8;
        var t = FcosTargets.Build(boxes, 3, h, w, stride, DType.Float32, Device.Cpu);
        var cls = t.Classes.ToFloatArray().Select(v => v > 0 ? 10f : -10f).ToArray();
        var dist = new float[4 * h * w];
        for (int r = 0; r < h; r++)
            for (int c = 0; c < w; c++)
            {
                var (cx, cy) = FcosTargets.CellCenter(r, c, stride);
                int cell = r * w + c;
                dist[0 * h * w + cell] = Math.Max((cx - gt.X1) / stride, 0.01f);
                dist[1 * h * w + cell] = Math.Max((cy - gt.Y1) / stride, 0.01f);
                dist[2 * h * w + cell] = Math.Max((gt.X2 - cx) / stride, 0.01f);
                dist[3 * h * w + cell] = Math.Max((gt.Y2 - cy) / stride, 0.01f);
            }
        var maps = new DetectionMaps(Tensor.FromArray(cls, 1, 3, h, w), Tensor.FromArray(dist, 1, 4, h, w), Tensor.Full([1, 1, h, w], 10), stride);
        var dets = DetectionDecoder.Decode(maps, 32, 32);
        var d = Assert.Single(dets[0]);
        Assert.Equal(1, d.Label);
        Assert.True(Nms.Iou(d.Box, gt) > 0.99f, $"decoded {d.Box}, expected {gt}");
    }
}
