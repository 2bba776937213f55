namespace Lfm2Vl.Vision.Data;

/// <summary>
/// Walks <c>root/&lt;split&gt;/&lt;class&gt;/**</c>, checks the layout (throwing
/// <see cref="ImageFolderLayoutException"/> with the expected tree), and lists the image files of each class
/// in ordinal order. Class names always come from train, so labels agree across splits.
/// </summary>
internal static class ImageFolderScanner
{
    public sealed record ScannedFile(string Path, string RelativePath, int Label);

    public sealed record ScanResult(IReadOnlyList<string> ClassNames, IReadOnlyList<ScannedFile> Files, int IgnoredFiles);

    /// <summary>The class names: train's class folders, sorted ordinally.</summary>
    public static IReadOnlyList<string> ReadClassNames(string root)
    {
        string trainDir = SplitDir(root, DatasetSplit.Train);
        var classes = ClassFolders(root, trainDir, DatasetSplit.Train);
        if (classes.Count == 0)
            throw new ImageFolderLayoutException(root, $"The train folder '{trainDir}' has no class folders.");
        return classes;
    }

    public static ScanResult Scan(string root, DatasetSplit split)
    {
        var classNames = ReadClassNames(root);
        string splitDir = SplitDir(root, split);
        var folders = ClassFolders(root, splitDir, split);
        if (folders.Count == 0)
            throw new ImageFolderLayoutException(root, $"The {split.FolderName()} folder '{splitDir}' has no class folders.");

        var unknown = folders.Where(c => !classNames.Contains(c, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
            throw new ImageFolderLayoutException(root,
                $"The {split.FolderName()} folder has class folders that train does not have: {string.Join(", ", unknown.Select(u => $"'{u}'"))}. " +
                $"Train's classes are: {string.Join(", ", classNames)}.");

        var files = new List<ScannedFile>();
        int ignored = 0;
        foreach (string cls in folders)
        {
            int label = IndexOf(classNames, cls);
            string classDir = Path.Combine(splitDir, cls);
            var images = new List<ScannedFile>();
            foreach (string file in Directory.EnumerateFiles(classDir, "*", SearchOption.AllDirectories))
            {
                string rel = Path.GetRelativePath(splitDir, file).Replace('\\', '/');
                if (IsHidden(rel) || !ImageDecoder.HasImageExtension(file)) { ignored++; continue; }
                images.Add(new ScannedFile(file, rel, label));
            }
            if (images.Count == 0)
                throw new ImageFolderLayoutException(root,
                    $"The class folder '{classDir}' has no image files. Remove the folder or add images to it.");
            images.Sort((a, b) => string.CompareOrdinal(a.RelativePath, b.RelativePath));
            files.AddRange(images);
        }
        return new ScanResult(classNames, files, ignored);
    }

    private static string SplitDir(string root, DatasetSplit split)
    {
        if (!Directory.Exists(root))
            throw new ImageFolderLayoutException(root, $"The dataset folder '{root}' does not exist.");
        string dir = Path.Combine(root, split.FolderName());
        if (!Directory.Exists(dir))
        {
            var found = Directory.EnumerateDirectories(root).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal).ToList();
            string seen = found.Count == 0 ? "it has no subfolders" : $"it has: {string.Join(", ", found.Select(f => f + "/"))}";
            throw new ImageFolderLayoutException(root, $"The dataset folder '{root}' has no '{split.FolderName()}' folder ({seen}).");
        }
        return dir;
    }

    /// <summary>Class folder names of a split, sorted ordinally; images lying directly in the split folder are an error.</summary>
    private static List<string> ClassFolders(string root, string splitDir, DatasetSplit split)
    {
        var loose = Directory.EnumerateFiles(splitDir).Where(ImageDecoder.HasImageExtension).Select(Path.GetFileName).Take(3).ToList();
        if (loose.Count > 0)
            throw new ImageFolderLayoutException(root,
                $"Images lie directly in the {split.FolderName()} folder '{splitDir}' (for example {string.Join(", ", loose)}); " +
                "each image must be inside a folder named after its class.");
        var names = Directory.EnumerateDirectories(splitDir).Select(d => Path.GetFileName(d)!)
            .Where(n => !n.StartsWith('.')).ToList();
        names.Sort(StringComparer.Ordinal);
        return names;
    }

    private static bool IsHidden(string relativePath) => relativePath.Split('/').Any(part => part.StartsWith('.'));

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++) if (names[i] == name) return i;
        return -1;
    }
}
