using Lfm2Vl.Vision.Data;
using Xunit;

namespace Lfm2Vl.Vision.Tests.Data;

public class ImageFolderDatasetTests
{
    [Fact]
    public void ClassesAreSortedOrdinallyAndFilesFoundWhateverTheExtensionCase()
    {
        using var dir = new TempFolder();
        FolderBuilder.Images(dir.Path, "train/bird/x.JPG", "train/bird/y.jpeg", "train/Zebra/a.Png", "train/apple/q.BMP",
            "train/apple/nested/deeper.png");
        FolderBuilder.Text(dir.Path, "train/apple/labels.txt");
        FolderBuilder.Text(dir.Path, "train/bird/.DS_Store");
        var ds = ImageFolderDataset.Load(dir.Path, DatasetSplit.Train);
        Assert.Equal(["Zebra", "apple", "bird"], ds.ClassNames);
        Assert.Equal(["Zebra/a.Png", "apple/nested/deeper.png", "apple/q.BMP", "bird/x.JPG", "bird/y.jpeg"], ds.Samples.Select(s => s.RelativePath));
        Assert.Equal([0, 1, 1, 2, 2], ds.Samples.Select(s => s.Label));
        Assert.Equal(2, ds.Report.IgnoredFiles);
        Assert.Equal(0, ds.Report.SkippedCount);
        Assert.Empty(ds.Report.Warnings);
        Assert.Equal(["Zebra", "apple", "bird"], ImageFolderDataset.ReadClassNames(dir.Path));
        var loaded = ds.Load(3);
        Assert.Equal(2, loaded.Label);
        Assert.Empty(loaded.Boxes);
    }

    [Fact]
    public void ZeroByteAndGarbageImagesAreSkippedWithAWarningAndCounted()
    {
        using var dir = new TempFolder();
        FolderBuilder.Standard(dir.Path);
        string empty = dir.File("train", "a", "empty.png"), junk = dir.File("train", "b", "junk.jpg");
        CorruptImageWriter.Write(empty, ImageCorruption.Empty);
        CorruptImageWriter.Write(junk, ImageCorruption.Garbage);
        var seen = new List<DataWarning>();
        var ds = ImageFolderDataset.Load(dir.Path, DatasetSplit.Train, new ImageFolderOptions { OnWarning = seen.Add });
        Assert.Equal(4, ds.Count);
        Assert.Equal(6, ds.Report.ImageFilesFound);
        Assert.Equal([empty, junk], ds.Report.SkippedFiles);
        Assert.Equal(2, seen.Count);
        Assert.All(seen, w => Assert.Equal(DataWarningKind.UnreadableImage, w.Kind));
        Assert.Contains(empty, seen[0].Message);
        Assert.Contains("empty", seen[0].Message);
        Assert.Contains("2 skipped", ds.Report.Summary());
    }

    [Fact]
    public void StrictModeStopsAtTheFirstUnreadableImage()
    {
        using var dir = new TempFolder();
        FolderBuilder.Standard(dir.Path);
        string empty = dir.File("train", "b", "0.png");
        CorruptImageWriter.Write(empty, ImageCorruption.Empty);
        var e = Assert.Throws<ImageDecodeException>(() => ImageFolderDataset.Load(dir.Path, DatasetSplit.Train, new ImageFolderOptions { Strict = true }));
        Assert.Equal(empty, e.Path);
        Assert.Contains(empty, e.Message);
    }

    [Fact]
    public void TruncatedImagesPassTheHeaderCheckButAreCaughtByAFullCheckOrOnLoad()
    {
        using var dir = new TempFolder();
        FolderBuilder.Standard(dir.Path);
        string png = dir.File("train", "a", "cut.png"), jpg = dir.File("train", "b", "cut.jpg");
        CorruptImageWriter.Write(png, ImageCorruption.TruncatedPng);
        CorruptImageWriter.Write(jpg, ImageCorruption.TruncatedJpeg);

        var quick = ImageFolderDataset.Load(dir.Path, DatasetSplit.Train);
        Assert.Equal(6, quick.Count);
        int cut = quick.Samples.ToList().FindIndex(s => s.Path == png);
        Assert.Equal(png, Assert.Throws<ImageDecodeException>(() => quick.Load(cut)).Path);

        var full = ImageFolderDataset.Load(dir.Path, DatasetSplit.Train, new ImageFolderOptions { Check = ImageCheck.Decode });
        Assert.Equal(4, full.Count);
        Assert.Equal([png, jpg], full.Report.SkippedFiles);
    }

    [Fact]
    public void AClassWhoseImagesAreAllUnreadableIsReported()
    {
        using var dir = new TempFolder();
        FolderBuilder.Images(dir.Path, "train/a/1.png");
        CorruptImageWriter.Write(dir.File("train", "b", "1.png"), ImageCorruption.Empty);
        var ds = ImageFolderDataset.Load(dir.Path, DatasetSplit.Train);
        Assert.Equal(["a", "b"], ds.ClassNames);
        Assert.Contains(ds.Report.Warnings, w => w.Kind == DataWarningKind.EmptyClass && w.Message.Contains("'b'"));
    }
}
