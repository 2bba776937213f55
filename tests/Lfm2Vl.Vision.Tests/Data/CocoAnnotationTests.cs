using Lfm2Vl.Vision.Data;
using Xunit;

namespace Lfm2Vl.Vision.Tests.Data;

public class CocoAnnotationTests
{
    private static void WriteJson(string root, string split, string json)
    {
        Directory.CreateDirectory(Path.Combine(root, "annotations"));
        File.WriteAllText(Path.Combine(root, "annotations", $"instances_{split}.json"), json);
    }

    [Fact]
    public void BoxesAreMatchedByRelativePathOrUniqueBareNameAndProblemsAreWarned()
    {
        using var dir = new TempFolder();
        FolderBuilder.Images(dir.Path, "train/a/1.png", "train/a/same.png", "train/b/same.png", "train/b/only.jpg", "train/b/plain.png");
        WriteJson(dir.Path, "train", """
        {
          "images": [
            {"id": 1, "file_name": "a/1.png", "width": 13, "height": 10},
            {"id": 2, "file_name": "only.jpg", "width": 16, "height": 10},
            {"id": 3, "file_name": "same.png", "width": 12, "height": 10},
            {"id": 4, "file_name": "train/b/same.png"},
            {"id": 5, "file_name": "gone.png"}
          ],
          "annotations": [
            {"image_id": 1, "category_id": 1, "bbox": [1, 2, 3, 4]},
            {"image_id": 1, "category_id": 7, "bbox": [0, 0, 2, 2]},
            {"image_id": 2, "category_id": 2, "bbox": [2, 1, 5, 5]},
            {"image_id": 2, "category_id": 9, "bbox": [2, 1, 5, 5]},
            {"image_id": 3, "category_id": 1, "bbox": [0, 0, 1, 1]},
            {"image_id": 4, "category_id": 2, "bbox": [1, 1, 4, 4]},
            {"image_id": 4, "category_id": 2, "bbox": [1, 1, 0, 4]},
            {"image_id": 99, "category_id": 1, "bbox": [1, 1, 4, 4]}
          ],
          "categories": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}, {"id": 7, "name": "person"}]
        }
        """);
        var ds = ImageFolderDataset.Load(dir.Path, DatasetSplit.Train);
        var byPath = ds.Samples.ToDictionary(s => s.RelativePath);
        Assert.Equal([new BoundingBox(1, 2, 4, 6, 0)], byPath["a/1.png"].Boxes);
        Assert.Equal([new BoundingBox(2, 1, 7, 6, 1)], byPath["b/only.jpg"].Boxes);
        Assert.Equal([new BoundingBox(1, 1, 5, 5, 1)], byPath["b/same.png"].Boxes);
        Assert.Empty(byPath["a/same.png"].Boxes); // "same.png" fits two files: not guessed
        Assert.Empty(byPath["b/plain.png"].Boxes); // not annotated: classification only
        Assert.True(ds.HasBoxes);
        Assert.Equal(3, ds.Report.ImagesWithBoxes);

        var kinds = ds.Report.Warnings.Select(w => w.Kind).ToList();
        Assert.Contains(DataWarningKind.AmbiguousAnnotation, kinds);
        Assert.Contains(ds.Report.Warnings, w => w.Kind == DataWarningKind.UnmatchedAnnotation && w.Message.Contains("gone.png"));
        Assert.Contains(ds.Report.Warnings, w => w.Kind == DataWarningKind.UnknownCategory && w.Message.Contains("'person'"));
        var invalid = Assert.Single(ds.Report.Warnings, w => w.Kind == DataWarningKind.InvalidAnnotation);
        Assert.Contains("3 malformed", invalid.Message); // category 9, zero-width bbox, image id 99
        Assert.Equal(0, ds.Report.SkippedCount);
    }

    [Fact]
    public void BoxesAreRescaledWhenTheAnnotatedSizeDiffersFromTheFile()
    {
        using var dir = new TempFolder();
        string path = dir.File("train", "a", "x.png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        ImageEncoder.Save(TestImages.Pattern(20, 10), path);
        WriteJson(dir.Path, "train", """
        {"images": [{"id": 1, "file_name": "a/x.png", "width": 40, "height": 20}],
         "annotations": [{"image_id": 1, "category_id": 1, "bbox": [10, 4, 20, 10]}],
         "categories": [{"id": 1, "name": "a"}]}
        """);
        var item = ImageFolderDataset.Load(dir.Path, DatasetSplit.Train).Load(0);
        Assert.Equal([new BoundingBox(5, 2, 15, 7, 0)], item.Boxes);
    }

    [Fact]
    public void AnnotationFileThatIsNotJsonIsNamed()
    {
        using var dir = new TempFolder();
        FolderBuilder.Standard(dir.Path);
        WriteJson(dir.Path, "val", "{ images: oops");
        var e = Assert.Throws<InvalidDataException>(() => ImageFolderDataset.Load(dir.Path, DatasetSplit.Val));
        Assert.Contains("instances_val.json", e.Message);
        WriteJson(dir.Path, "val", "[1, 2]");
        Assert.Contains("\"images\" array", Assert.Throws<InvalidDataException>(() => ImageFolderDataset.Load(dir.Path, DatasetSplit.Val)).Message);
        // annotations can be switched off
        Assert.Equal(4, ImageFolderDataset.Load(dir.Path, DatasetSplit.Val, new ImageFolderOptions { LoadAnnotations = false }).Count);
    }
}
