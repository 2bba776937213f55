using Lfm2Vl.Vision.Data;

namespace Lfm2Vl.Vision.Tests.Data;

/// <summary>Writes small image-folder trees for tests: each relative path gets a valid image of its extension.</summary>
internal static class FolderBuilder
{
    public static void Images(string root, params string[] relativePaths)
    {
        ulong seed = 1;
        foreach (var rel in relativePaths)
        {
            string path = Path.Combine(root, rel);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            TestImages.Write(path, 12 + (int)(seed % 5), 10, seed++);
        }
    }

    public static void Text(string root, string relativePath, string content = "not an image")
    {
        string path = Path.Combine(root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    /// <summary>train/val/test with classes a and b, two images each.</summary>
    public static void Standard(string root)
    {
        foreach (var split in new[] { "train", "val", "test" })
            Images(root, $"{split}/a/1.png", $"{split}/a/2.jpg", $"{split}/b/1.png", $"{split}/b/2.bmp");
    }
}
