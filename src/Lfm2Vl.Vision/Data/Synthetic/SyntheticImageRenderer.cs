using Lfm2Vl.Engine;

namespace Lfm2Vl.Vision.Data;

/// <summary>A drawn synthetic image: its pixels, background, and objects (the first is the main, largest one).</summary>
public sealed record SyntheticImage(ImageRgb Image, SyntheticBackground Background, (byte R, byte G, byte B) BackgroundColor,
    IReadOnlyList<BoundingBox> Objects);

/// <summary>
/// Draws one image: a background, then a main object of the requested class, then up to
/// MaxObjectsPerImage - 1 smaller objects of random classes that do not overlap the others (so every box
/// is tight around exactly one object). Labels index <paramref name="classes"/>.
/// </summary>
public static class SyntheticImageRenderer
{
    public static SyntheticImage Render(Generator rng, int mainLabel, IReadOnlyList<SyntheticShape> classes, SyntheticDatasetOptions options)
    {
        int w = options.ImageWidth, h = options.ImageHeight, side = Math.Min(w, h);
        var image = new ImageRgb(w, h);
        var background = options.Backgrounds[rng.NextInt(options.Backgrounds.Count)];
        var bg = BackgroundPainter.Paint(image, background, rng);
        var objects = new List<BoundingBox>();

        int mainSize = (int)Math.Round(side * rng.NextUniform(0.45, 0.8));
        int objectCount = 1 + rng.NextInt(options.MaxObjectsPerImage);
        for (int k = 0; k < objectCount; k++)
        {
            int label = k == 0 ? mainLabel : rng.NextInt(classes.Count);
            int size = k == 0 ? mainSize : Math.Max(6, (int)Math.Round(mainSize * rng.NextUniform(0.25, 0.6)));
            if (size > side) continue;
            // Up to 30 tries to find a free spot (1 px apart from earlier objects); a secondary object that
            // does not fit is left out, the main one always fits because it is drawn first.
            for (int attempt = 0; attempt < 30; attempt++)
            {
                int left = rng.NextInt(w - size + 1), top = rng.NextInt(h - size + 1);
                if (objects.Any(o => left < o.X2 + 1 && o.X1 - 1 < left + size && top < o.Y2 + 1 && o.Y1 - 1 < top + size)) continue;
                var fill = BackgroundPainter.ContrastingColor(rng, bg);
                var detail = BackgroundPainter.Distance(fill, (0, 0, 0)) > BackgroundPainter.Distance(fill, (255, 255, 255))
                    ? ((byte)0, (byte)0, (byte)0) : ((byte)255, (byte)255, (byte)255);
                if (ShapeRasterizer.Draw(image, classes[label], left, top, size, fill, detail, label) is { } box) objects.Add(box);
                break;
            }
        }
        return new SyntheticImage(image, background, bg, objects);
    }
}
