using System.Text.Json;

namespace Lfm2Vl.Vision.Data;

/// <summary>
/// The parts of a COCO instances file an image-folder dataset uses: images {id, file_name, width, height},
/// annotations {image_id, category_id, bbox [x, y, w, h]} and categories {id, name}. Entries that lack a
/// field or hold a bad value are counted in <see cref="InvalidEntries"/> (with a reason) instead of failing
/// the whole file; a file that is not JSON of this shape throws <see cref="InvalidDataException"/> naming it.
/// </summary>
internal sealed class CocoFile
{
    public sealed record ImageEntry(long Id, string FileName, int? Width, int? Height);
    public sealed record AnnotationEntry(long ImageId, long CategoryId, float X, float Y, float W, float H);

    public required string Path { get; init; }
    public List<ImageEntry> Images { get; } = new();
    public List<AnnotationEntry> Annotations { get; } = new();
    public Dictionary<long, string> Categories { get; } = new();
    public List<string> InvalidEntries { get; } = new();

    public static CocoFile Read(string path)
    {
        JsonDocument doc;
        try
        {
            using var stream = File.OpenRead(path);
            doc = JsonDocument.Parse(stream, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The annotation file '{path}' is not valid JSON: {e.Message}", e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("images", out var images) || images.ValueKind != JsonValueKind.Array)
                throw new InvalidDataException($"The annotation file '{path}' is not a COCO instances file: it needs an \"images\" array " +
                                               "(and \"annotations\" and \"categories\" arrays for boxes).");
            var file = new CocoFile { Path = path };
            foreach (var img in images.EnumerateArray())
            {
                if (Long(img, "id") is { } id && Str(img, "file_name") is { Length: > 0 } name)
                    file.Images.Add(new ImageEntry(id, name, Int(img, "width"), Int(img, "height")));
                else file.InvalidEntries.Add("an image entry without a numeric id or a file_name");
            }
            if (root.TryGetProperty("categories", out var cats) && cats.ValueKind == JsonValueKind.Array)
                foreach (var c in cats.EnumerateArray())
                {
                    if (Long(c, "id") is { } id && Str(c, "name") is { Length: > 0 } name) file.Categories[id] = name;
                    else file.InvalidEntries.Add("a category without a numeric id or a name");
                }
            if (root.TryGetProperty("annotations", out var anns) && anns.ValueKind == JsonValueKind.Array)
                foreach (var a in anns.EnumerateArray())
                {
                    if (Long(a, "image_id") is not { } imageId || Long(a, "category_id") is not { } catId)
                    {
                        file.InvalidEntries.Add("an annotation without a numeric image_id or category_id");
                        continue;
                    }
                    if (!a.TryGetProperty("bbox", out var bb) || bb.ValueKind != JsonValueKind.Array || bb.GetArrayLength() != 4
                        || bb.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.Number))
                    {
                        file.InvalidEntries.Add($"annotation of image {imageId}: bbox is not [x, y, width, height]");
                        continue;
                    }
                    var v = bb.EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
                    if (v.Any(x => !float.IsFinite(x)) || v[2] <= 0 || v[3] <= 0)
                    {
                        file.InvalidEntries.Add($"annotation of image {imageId}: bbox [{string.Join(", ", v)}] has no area");
                        continue;
                    }
                    file.Annotations.Add(new AnnotationEntry(imageId, catId, v[0], v[1], v[2], v[3]));
                }
            return file;
        }
    }

    private static long? Long(JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Number && p.TryGetInt64(out long v) ? v : null;

    private static int? Int(JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.Number && p.TryGetInt32(out int v) && v > 0 ? v : null;

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
}
