using System.Text.Json;
using Lfm2Vl.Vision.Data;

namespace Lfm2Vl.Training.Tests.Evaluation;

/// <summary>
/// A small image-folder dataset in a temp folder: classes red, green and blue, each image a grey background
/// with one filled square of its class colour at a seeded position, and COCO boxes for every split. Deleted on
/// dispose.
/// </summary>
public sealed class TinyShapeFolder : IDisposable
{
    public static readonly string[] ClassNames = ["blue", "green", "red"]; // ordinal order, as ImageFolderDataset sorts
    private static readonly (byte R, byte G, byte B)[] Colors = [(30, 30, 220), (30, 200, 30), (220, 30, 30)];

    public TinyShapeFolder(int perClass = 4, int width = 32, int height = 32, int seed = 1)
    {
        Root = Path.Combine(Path.GetTempPath(), "lfm2vl-eval-" + Guid.NewGuid().ToString("N"));
        var rng = new Random(seed);
        foreach (var split in new[] { DatasetSplit.Train, DatasetSplit.Val })
        {
            var entries = new List<(string File, List<BoundingBox> Boxes)>();
            for (int label = 0; label < ClassNames.Length; label++)
                for (int i = 0; i < perClass; i++)
                {
                    int side = rng.Next(Math.Min(width, height) / 4, Math.Min(width, height) / 2);
                    int x = rng.Next(0, width - side), y = rng.Next(0, height - side);
                    var image = Draw(width, height, x, y, side, Colors[label]);
                    string rel = $"{ClassNames[label]}/{ClassNames[label]}_{i:D3}.png";
                    string path = Path.Combine(Root, split.FolderName(), rel);
                    ImageEncoder.Save(image, path);
                    entries.Add((rel, [new BoundingBox(x, y, x + side, y + side, label)]));
                    if (split == DatasetSplit.Val) ValPaths.Add(path);
                }
            WriteCoco(Path.Combine(Root, split.AnnotationPath()), width, height, entries);
        }
    }

    public string Root { get; }
    public List<string> ValPaths { get; } = new();

    public ImageFolderDataset Load(DatasetSplit split) => ImageFolderDataset.Load(Root, split);

    public static ImageRgb Draw(int width, int height, int x0, int y0, int side, (byte R, byte G, byte B) color)
    {
        var image = new ImageRgb(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                bool inside = x >= x0 && x < x0 + side && y >= y0 && y < y0 + side;
                if (inside) image.SetPixel(x, y, color.R, color.G, color.B);
                else image.SetPixel(x, y, 128, 128, 128);
            }
        return image;
    }

    private static void WriteCoco(string path, int width, int height, List<(string File, List<BoundingBox> Boxes)> entries)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream);
        json.WriteStartObject();
        json.WriteStartArray("images");
        for (int i = 0; i < entries.Count; i++)
        {
            json.WriteStartObject();
            json.WriteNumber("id", i + 1);
            json.WriteString("file_name", entries[i].File);
            json.WriteNumber("width", width);
            json.WriteNumber("height", height);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("annotations");
        int id = 0;
        for (int i = 0; i < entries.Count; i++)
            foreach (var b in entries[i].Boxes)
            {
                json.WriteStartObject();
                json.WriteNumber("id", ++id);
                json.WriteNumber("image_id", i + 1);
                json.WriteNumber("category_id", b.Label + 1);
                json.WriteStartArray("bbox");
                json.WriteNumberValue(b.X1); json.WriteNumberValue(b.Y1); json.WriteNumberValue(b.Width); json.WriteNumberValue(b.Height);
                json.WriteEndArray();
                json.WriteEndObject();
            }
        json.WriteEndArray();
        json.WriteStartArray("categories");
        for (int c = 0; c < ClassNames.Length; c++)
        {
            json.WriteStartObject();
            json.WriteNumber("id", c + 1);
            json.WriteString("name", ClassNames[c]);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
