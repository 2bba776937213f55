using Lfm2Vl.Vision.Data;
using Xunit;

namespace Lfm2Vl.Vision.Tests.Data;

/// <summary>Wrong layouts stop with a message that says what is wrong and shows the expected tree.</summary>
public class ImageFolderLayoutTests
{
    private static ImageFolderLayoutException LayoutError(string root, DatasetSplit split)
    {
        var e = Assert.Throws<ImageFolderLayoutException>(() => ImageFolderDataset.Load(root, split));
        Assert.Contains("Expected layout:", e.Message);
        Assert.Contains("├── train/", e.Message);
        Assert.Contains("│   ├── <class_a>/", e.Message);
        Assert.Contains("instances_val.json", e.Message);
        Assert.Contains(".jpg .jpeg .png .bmp", e.Message);
        return e;
    }

    [Fact]
    public void MissingRootFolder()
    {
        using var dir = new TempFolder();
        var e = LayoutError(dir.File("nowhere"), DatasetSplit.Train);
        Assert.Contains("does not exist", e.Problem);
    }

    [Fact]
    public void MissingSplitFolderListsWhatIsThere()
    {
        using var dir = new TempFolder();
        FolderBuilder.Images(dir.Path, "train/a/1.png", "Validation/a/1.png");
        var e = LayoutError(dir.Path, DatasetSplit.Val);
        Assert.Contains("no 'val' folder", e.Problem);
        Assert.Contains("Validation/", e.Problem);
    }

    [Fact]
    public void ValNeedsTrainForItsClassNames()
    {
        using var dir = new TempFolder();
        FolderBuilder.Images(dir.Path, "val/a/1.png");
        Assert.Contains("no 'train' folder", LayoutError(dir.Path, DatasetSplit.Val).Problem);
    }

    [Fact]
    public void EmptyClassFolderIsNamed()
    {
        using var dir = new TempFolder();
        FolderBuilder.Images(dir.Path, "train/a/1.png");
        FolderBuilder.Text(dir.Path, "train/b/readme.txt");
        var e = LayoutError(dir.Path, DatasetSplit.Train);
        Assert.Contains(Path.Combine(dir.Path, "train", "b"), e.Problem);
        Assert.Contains("no image files", e.Problem);
    }

    [Fact]
    public void ValClassMissingFromTrainIsNamed()
    {
        using var dir = new TempFolder();
        FolderBuilder.Images(dir.Path, "train/a/1.png", "train/b/1.png", "val/a/1.png", "val/zebra/1.png");
        var e = LayoutError(dir.Path, DatasetSplit.Val);
        Assert.Contains("'zebra'", e.Problem);
        Assert.Contains("a, b", e.Problem);
    }

    [Fact]
    public void ImagesDirectlyInTheSplitFolderAreAWrongLayout()
    {
        using var dir = new TempFolder();
        FolderBuilder.Images(dir.Path, "train/cat1.jpg", "train/cat2.jpg");
        var e = LayoutError(dir.Path, DatasetSplit.Train);
        Assert.Contains("directly in the train folder", e.Problem);
        Assert.Contains("cat1.jpg", e.Problem);
    }

    [Fact]
    public void SplitWithoutClassFolders()
    {
        using var dir = new TempFolder();
        Directory.CreateDirectory(dir.File("train"));
        FolderBuilder.Text(dir.Path, "train/notes.txt");
        Assert.Contains("no class folders", LayoutError(dir.Path, DatasetSplit.Train).Problem);
    }

    [Fact]
    public void ASubsetOfTrainClassesInValIsFineAndKeepsTrainLabels()
    {
        using var dir = new TempFolder();
        FolderBuilder.Images(dir.Path, "train/a/1.png", "train/b/1.png", "train/c/1.png", "val/c/1.png");
        var val = ImageFolderDataset.Load(dir.Path, DatasetSplit.Val);
        Assert.Equal(["a", "b", "c"], val.ClassNames);
        Assert.Equal(2, Assert.Single(val.Samples).Label);
    }
}
