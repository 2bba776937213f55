using System.Text.Json;

namespace Lfm2Vl.Vision.Data;

/// <summary>Writes a COCO instances file: images, annotations (bbox [x, y, w, h]) and categories (id = label + 1).</summary>
public static class CocoWriter
{
    public sealed record Entry(string FileName, int Width, int Height, IReadOnlyList<BoundingBox> Boxes);

    public static void Write(string path, IReadOnlyList<string> categories, IEnumerable<Entry> images)
    {
        if (Path.GetDirectoryName(path) is { Length: > 0 } dir) Directory.CreateDirectory(dir);
        using var stream = File.Create(path);
        using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        json.WriteStartObject();
        var annotations = new List<(int ImageId, BoundingBox Box)>();
        json.WriteStartArray("images");
        int imageId = 0;
        foreach (var img in images)
        {
            imageId++;
            json.WriteStartObject();
            json.WriteNumber("id", imageId);
            json.WriteString("file_name", img.FileName);
            json.WriteNumber("width", img.Width);
            json.WriteNumber("height", img.Height);
            json.WriteEndObject();
            foreach (var b in img.Boxes) annotations.Add((imageId, b));
        }
        json.WriteEndArray();
        json.WriteStartArray("annotations");
        for (int i = 0; i < annotations.Count; i++)
        {
            var (id, b) = annotations[i];
            json.WriteStartObject();
            json.WriteNumber("id", i + 1);
            json.WriteNumber("image_id", id);
            json.WriteNumber("category_id", b.Label + 1);
            json.WriteStartArray("bbox");
            json.WriteNumberValue(b.X1); json.WriteNumberValue(b.Y1); json.WriteNumberValue(b.Width); json.WriteNumberValue(b.Height);
            json.WriteEndArray();
            json.WriteNumber("area", b.Area);
            json.WriteNumber("iscrowd", 0);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("categories");
        for (int c = 0; c < categories.Count; c++)
        {
            json.WriteStartObject();
            json.WriteNumber("id", c + 1);
            json.WriteString("name", categories[c]);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }
}
