namespace Lfm2Vl.Vision.Data;

/// <summary>
/// Attaches COCO boxes to the files of a split. A COCO <c>file_name</c> matches a file by its path relative
/// to the split folder (<c>&lt;class&gt;/&lt;file&gt;</c>, optionally prefixed by the split name) or, when it
/// has no folder part, by the bare file name if exactly one file of the split has it. Box categories map to
/// class labels by name. Whatever cannot be matched becomes a warning; nothing is dropped silently.
/// </summary>
internal static class CocoMatcher
{
    public sealed record Match(List<BoundingBox> Boxes, int? Width, int? Height);

    public static Dictionary<int, Match> Attach(CocoFile coco, DatasetSplit split,
        IReadOnlyList<ImageFolderScanner.ScannedFile> files, IReadOnlyList<string> classNames, Action<DataWarning> warn)
    {
        var byRelative = new Dictionary<string, int>(StringComparer.Ordinal);
        var byBare = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int i = 0; i < files.Count; i++)
        {
            byRelative[files[i].RelativePath] = i;
            string bare = Path.GetFileName(files[i].RelativePath);
            if (!byBare.TryGetValue(bare, out var list)) byBare[bare] = list = new List<int>();
            list.Add(i);
        }

        // COCO image id -> file index
        var imageToFile = new Dictionary<long, int>();
        var result = new Dictionary<int, Match>();
        foreach (var img in coco.Images)
        {
            string name = Normalize(img.FileName, split);
            int fileIndex;
            if (name.Contains('/'))
            {
                if (!byRelative.TryGetValue(name, out fileIndex))
                {
                    warn(new DataWarning(DataWarningKind.UnmatchedAnnotation, coco.Path,
                        $"{coco.Path}: image '{img.FileName}' (id {img.Id}) is not in the {split.FolderName()} folder; its boxes are not used."));
                    continue;
                }
            }
            else if (byBare.TryGetValue(name, out var candidates) && candidates.Count == 1) fileIndex = candidates[0];
            else
            {
                bool ambiguous = candidates is { Count: > 1 };
                warn(new DataWarning(ambiguous ? DataWarningKind.AmbiguousAnnotation : DataWarningKind.UnmatchedAnnotation, coco.Path,
                    ambiguous
                        ? $"{coco.Path}: image '{img.FileName}' (id {img.Id}) fits {candidates!.Count} files ({string.Join(", ", candidates.Select(c => files[c].RelativePath))}); write file_name as <class>/<file>. Its boxes are not used."
                        : $"{coco.Path}: image '{img.FileName}' (id {img.Id}) is not in the {split.FolderName()} folder; its boxes are not used."));
                continue;
            }
            imageToFile[img.Id] = fileIndex;
            result[fileIndex] = new Match(new List<BoundingBox>(), img.Width, img.Height);
        }

        var allImageIds = coco.Images.Select(i => i.Id).ToHashSet();
        var unknownCategories = new Dictionary<string, int>(StringComparer.Ordinal);
        var invalid = new List<string>(coco.InvalidEntries);
        foreach (var a in coco.Annotations)
        {
            if (!imageToFile.TryGetValue(a.ImageId, out int fileIndex))
            {
                if (!allImageIds.Contains(a.ImageId)) invalid.Add($"an annotation refers to image id {a.ImageId}, which is not in \"images\"");
                continue; // the image's own warning already covers boxes of an unmatched image
            }
            if (!coco.Categories.TryGetValue(a.CategoryId, out string? catName))
            {
                invalid.Add($"an annotation of image id {a.ImageId} has category id {a.CategoryId}, which is not in \"categories\"");
                continue;
            }
            int label = -1;
            for (int c = 0; c < classNames.Count; c++) if (classNames[c] == catName) { label = c; break; }
            if (label < 0)
            {
                unknownCategories[catName] = unknownCategories.GetValueOrDefault(catName) + 1;
                continue;
            }
            result[fileIndex].Boxes.Add(BoundingBox.FromXywh(a.X, a.Y, a.W, a.H, label));
        }

        foreach (var (cat, count) in unknownCategories.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            warn(new DataWarning(DataWarningKind.UnknownCategory, coco.Path,
                $"{coco.Path}: {count} boxes of category '{cat}' were dropped: no class folder has that name (classes: {string.Join(", ", classNames)})."));
        if (invalid.Count > 0)
            warn(new DataWarning(DataWarningKind.InvalidAnnotation, coco.Path,
                $"{coco.Path}: {invalid.Count} malformed entries were dropped, e.g. {string.Join("; ", invalid.Take(3))}."));
        return result;
    }

    private static string Normalize(string fileName, DatasetSplit split)
    {
        string n = fileName.Replace('\\', '/');
        while (n.StartsWith("./", StringComparison.Ordinal)) n = n[2..];
        string prefix = split.FolderName() + "/";
        if (n.StartsWith(prefix, StringComparison.Ordinal) && n.IndexOf('/', prefix.Length) > 0) n = n[prefix.Length..];
        return n;
    }
}
