using FsCheck;
using FsCheck.Xunit;
using Lfm2Vl.Engine;
using Lfm2Vl.Vision.Data;

namespace Lfm2Vl.Vision.Tests.Data;

/// <summary>Properties of the random transforms over random images, boxes, settings and seeds.</summary>
public class TransformPropertyTests
{
    private static int Range(int raw, int lo, int hi) => lo + (int)((uint)raw % (uint)(hi - lo + 1));

    /// <summary>Up to five boxes, some sticking out of the image, built from the seed.</summary>
    private static List<BoundingBox> RandomBoxes(int w, int h, ulong seed)
    {
        var rng = new Generator(seed);
        var boxes = new List<BoundingBox>();
        int n = rng.NextInt(6);
        for (int i = 0; i < n; i++)
        {
            float x1 = (float)rng.NextUniform(-0.2 * w, 0.9 * w), y1 = (float)rng.NextUniform(-0.2 * h, 0.9 * h);
            float x2 = x1 + (float)rng.NextUniform(0.5, 0.8 * w), y2 = y1 + (float)rng.NextUniform(0.5, 0.8 * h);
            boxes.Add(new BoundingBox(x1, y1, x2, y2, i));
        }
        return boxes;
    }

    [Property(MaxTest = 60)]
    public bool FlippingTwiceIsTheIdentity(int rawW, int rawH, ulong seed)
    {
        int w = Range(rawW, 1, 40), h = Range(rawH, 1, 20);
        var img = TestImages.Random(w, h, seed);
        var boxes = RandomBoxes(w, h, seed);
        BoxGeometry.ClipAndDrop(boxes, w, h);
        var original = boxes.ToList();
        var flip = new RandomHorizontalFlip(1);
        var once = flip.Apply(img, boxes, new Generator(seed), owned: false);
        bool changed = !once.Pixels.SequenceEqual(img.Pixels);
        var twice = flip.Apply(once, boxes, new Generator(seed), owned: true);
        return twice.Pixels.SequenceEqual(img.Pixels) && SameBoxes(boxes, original) && (changed || IsMirrorSymmetric(img));
    }

    // w - (w - x) is x up to float rounding
    private static bool SameBoxes(List<BoundingBox> a, List<BoundingBox> b) =>
        a.Count == b.Count && a.Zip(b).All(p => p.First.Label == p.Second.Label
            && Math.Abs(p.First.X1 - p.Second.X1) < 1e-4 && Math.Abs(p.First.X2 - p.Second.X2) < 1e-4
            && p.First.Y1 == p.Second.Y1 && p.First.Y2 == p.Second.Y2);

    private static bool IsMirrorSymmetric(ImageRgb img)
    {
        for (int y = 0; y < img.Height; y++)
            for (int x = 0; x < img.Width; x++)
                if (img.GetPixel(x, y) != img.GetPixel(img.Width - 1 - x, y)) return false;
        return true;
    }

    [Property(MaxTest = 80)]
    public bool BoxesStayInsideTheImageAfterEveryRandomTransform(int rawW, int rawH, int rawSize, int rawDeg, ulong seed)
    {
        int w = Range(rawW, 4, 70), h = Range(rawH, 4, 70), size = Range(rawSize, 4, 40);
        double degrees = Range(rawDeg, 0, 180);
        var img = TestImages.Random(w, h, seed);
        var rng = new Generator(seed ^ 0xABCDEF);
        IImageTransform[] steps =
        [
            new RandomResizedCrop(size, size),
            new RandomHorizontalFlip(0.5),
            new ColorJitter(0.3, 0.3, 0.3, 0.1),
            new RandomRotation(degrees),
            new Resize(size + 3, size),
            new CenterCrop(size - 2, size + 2),
            Resize.ShorterSide(size),
        ];
        foreach (var order in new[] { steps, steps.Reverse().ToArray() })
        {
            var boxes = RandomBoxes(w, h, seed);
            BoxGeometry.ClipAndDrop(boxes, w, h);
            var current = img;
            foreach (var t in order)
            {
                current = t.Apply(current, boxes, rng, owned: !ReferenceEquals(current, img));
                foreach (var b in boxes)
                    if (!b.IsInside(current.Width, current.Height) || b.Area < BoxGeometry.MinArea || !float.IsFinite(b.X1 + b.X2 + b.Y1 + b.Y2))
                        return false;
            }
        }
        return true;
    }

    [Property(MaxTest = 40)]
    public bool TrainPipelineIsReproducibleAndLeavesItsInputAlone(int rawW, int rawH, ulong seed)
    {
        int w = Range(rawW, 8, 60), h = Range(rawH, 8, 60);
        var pipeline = new TransformConfig { ImageSize = 16, Contrast = 0.2, Saturation = 0.2, Hue = 0.05 }.BuildTrain();
        var img = TestImages.Random(w, h, seed);
        var before = img.Pixels.ToArray();
        var sample = new LabeledImage(img, 0, RandomBoxes(w, h, seed));
        var a = new float[pipeline.ValuesPerImage];
        var b = new float[pipeline.ValuesPerImage];
        var boxesA = new List<BoundingBox>();
        var boxesB = new List<BoundingBox>();
        pipeline.Apply(sample, new Generator(seed), a, boxesA);
        pipeline.Apply(sample, new Generator(seed), b, boxesB);
        return a.SequenceEqual(b) && boxesA.SequenceEqual(boxesB) && img.Pixels.SequenceEqual(before)
               && boxesA.All(x => x.IsInside(16, 16));
    }

    [Property(MaxTest = 100)]
    public bool RandomResizedCropRegionsRespectScaleAndRatio(int rawW, int rawH, ulong seed)
    {
        int w = Range(rawW, 1, 500), h = Range(rawH, 1, 500);
        var rrc = new RandomResizedCrop(8, 8, (0.3, 0.9), (0.5, 2.0));
        var (x, y, cw, ch) = rrc.SampleRegion(w, h, new Generator(seed));
        bool inside = x >= 0 && y >= 0 && cw >= 1 && ch >= 1 && x + cw <= w && y + ch <= h;
        // with 10 attempts a large image almost surely gets a sampled crop, whose area is within the scale
        // range up to the rounding of its sides to whole pixels
        double area = (double)cw * ch / (w * h);
        bool sampledLooksRight = w < 50 || h < 50 || (area >= 0.3 * 0.85 && area <= 0.9 * 1.15 && (double)cw / ch >= 0.5 * 0.9 && (double)cw / ch <= 2.0 * 1.1);
        return inside && sampledLooksRight;
    }
}
