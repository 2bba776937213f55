using Lfm2Vl.Training.Evaluation;
using Lfm2Vl.Vision.Data;

namespace Lfm2Vl.Training.Reports;

/// <summary>Draws predicted boxes as coloured rectangle outlines on a copy of an image (one colour per class).</summary>
public static class BoxOverlay
{
    private static readonly (byte R, byte G, byte B)[] Palette =
    [
        (230, 25, 75), (60, 180, 75), (255, 225, 25), (0, 130, 200), (245, 130, 48), (145, 30, 180),
        (70, 240, 240), (240, 50, 230), (210, 245, 60), (250, 190, 212), (0, 128, 128), (170, 110, 40),
    ];

    public static (byte R, byte G, byte B) ColorOf(int classIndex) => Palette[((classIndex % Palette.Length) + Palette.Length) % Palette.Length];

    /// <summary>A copy of <paramref name="image"/> with each box outlined, <paramref name="thickness"/> pixels inwards from its edges.</summary>
    public static ImageRgb Draw(ImageRgb image, IEnumerable<PredictedBox> boxes, int thickness = 2)
    {
        var copy = image.Clone();
        foreach (var b in boxes)
            DrawRectangle(copy, b.X1, b.Y1, b.X2, b.Y2, ColorOf(b.ClassIndex), thickness);
        return copy;
    }

    /// <summary>
    /// Outlines the pixels covered by [x1, x2) x [y1, y2) (pixel (x, y) covers [x, x+1) x [y, y+1)), clipped
    /// to the image; a box thinner than twice the thickness is filled.
    /// </summary>
    public static void DrawRectangle(ImageRgb image, double x1, double y1, double x2, double y2, (byte R, byte G, byte B) color, int thickness = 2)
    {
        int left = (int)Math.Floor(x1), top = (int)Math.Floor(y1);
        int right = (int)Math.Ceiling(x2) - 1, bottom = (int)Math.Ceiling(y2) - 1; // inclusive
        if (right < left || bottom < top) return;
        thickness = Math.Max(thickness, 1);
        for (int y = Math.Max(top, 0); y <= Math.Min(bottom, image.Height - 1); y++)
        {
            bool edgeRow = y - top < thickness || bottom - y < thickness;
            for (int x = Math.Max(left, 0); x <= Math.Min(right, image.Width - 1); x++)
                if (edgeRow || x - left < thickness || right - x < thickness)
                    image.SetPixel(x, y, color.R, color.G, color.B);
        }
    }

    /// <summary>Decodes the prediction's image, draws its boxes and saves the copy (format from the extension).</summary>
    public static void SaveAnnotatedCopy(ImagePrediction prediction, string outputPath, int thickness = 2)
    {
        var image = ImageDecoder.DecodeFile(prediction.Path);
        ImageEncoder.Save(Draw(image, prediction.Boxes, thickness), outputPath);
    }
}
