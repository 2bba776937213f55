using Lfm2Vl.Vision.Data;
using Xunit;

namespace Lfm2Vl.Vision.Tests.Data;

public class SyntheticDatasetTests
{
    private static readonly SyntheticDatasetOptions Small = new()
    {
        ImageWidth = 48, ImageHeight = 40, TrainPerClass = 3, ValPerClass = 2, TestPerClass = 1, MaxObjectsPerImage = 4, Seed = 11,
    };

    [Fact]
    public void WritesADecodableImageFolderWithCocoBoxes()
    {
        using var dir = new TempFolder();
        var result = SyntheticDatasetWriter.Write(dir.Path, Small);
        Assert.Equal(["circle", "cross", "face", "square", "triangle"], result.ClassNames);
        Assert.Equal(5 * (3 + 2 + 1), result.Images.Count);
        Assert.Contains(result.Images, i => i.Format == ImageFileFormat.Png);
        Assert.Contains(result.Images, i => i.Format == ImageFileFormat.Jpeg);
        Assert.Contains(result.Images, i => i.Objects.Count > 1);

        foreach (var split in Enum.GetValues<DatasetSplit>())
        {
            var ds = ImageFolderDataset.Load(dir.Path, split, new ImageFolderOptions { Check = ImageCheck.Decode, Strict = true });
            Assert.Equal(result.ClassNames, ds.ClassNames);
            Assert.Empty(ds.Report.Warnings);
            var expected = result.Images.Where(i => i.Split == split).ToDictionary(i => i.RelativePath);
            Assert.Equal(expected.Count, ds.Count);
            for (int k = 0; k < ds.Count; k++)
            {
                var info = expected[ds.Samples[k].RelativePath];
                Assert.Equal(info.Label, ds.Samples[k].Label);
                var item = ds.Load(k);
                Assert.Equal((48, 40), (item.Image.Width, item.Image.Height));
                Assert.Equal(info.Objects, item.Boxes);
            }
        }
    }

    [Fact]
    public void BoxesAreTightAroundTheDrawnObjectsAndTheFolderIsTheLargestObjectsClass()
    {
        using var dir = new TempFolder();
        var options = Small with { Backgrounds = [SyntheticBackground.Solid], Formats = [ImageFileFormat.Png], Seed = 5 };
        var result = SyntheticDatasetWriter.Write(dir.Path, options);
        foreach (var info in result.Images)
        {
            var img = ImageDecoder.DecodeFile(info.Path);
            var boxes = info.Objects;
            Assert.NotEmpty(boxes);
            Assert.Equal(info.Label, boxes[0].Label);
            Assert.Equal(result.ClassNames[info.Label], Path.GetFileName(Path.GetDirectoryName(info.Path)));
            Assert.All(boxes.Skip(1), b => Assert.True(b.Area < boxes[0].Area, $"{info.Path}: {b} is not smaller than the main object {boxes[0]}"));

            bool IsObject(int x, int y) => img.GetPixel(x, y) != info.BackgroundColor;
            for (int y = 0; y < img.Height; y++)
                for (int x = 0; x < img.Width; x++)
                    if (IsObject(x, y))
                        Assert.True(boxes.Any(b => x >= b.X1 && x < b.X2 && y >= b.Y1 && y < b.Y2), $"{info.Path}: object pixel ({x}, {y}) lies in no box");
            foreach (var b in boxes)
            {
                int x1 = (int)b.X1, y1 = (int)b.Y1, x2 = (int)b.X2 - 1, y2 = (int)b.Y2 - 1;
                Assert.True(Enumerable.Range(x1, x2 - x1 + 1).Any(x => IsObject(x, y1)), $"{info.Path}: top edge of {b} touches no object pixel");
                Assert.True(Enumerable.Range(x1, x2 - x1 + 1).Any(x => IsObject(x, y2)), $"{info.Path}: bottom edge of {b} touches no object pixel");
                Assert.True(Enumerable.Range(y1, y2 - y1 + 1).Any(y => IsObject(x1, y)), $"{info.Path}: left edge of {b} touches no object pixel");
                Assert.True(Enumerable.Range(y1, y2 - y1 + 1).Any(y => IsObject(x2, y)), $"{info.Path}: right edge of {b} touches no object pixel");
            }
        }
    }

    [Fact]
    public void FacesHaveEyesAndAMouth()
    {
        using var dir = new TempFolder();
        var options = Small with { Classes = [SyntheticShape.Face], MaxObjectsPerImage = 1, Backgrounds = [SyntheticBackground.Solid], Formats = [ImageFileFormat.Png] };
        foreach (var info in SyntheticDatasetWriter.Write(dir.Path, options).Images)
        {
            var img = ImageDecoder.DecodeFile(info.Path);
            var b = Assert.Single(info.Objects);
            var colours = new HashSet<(byte, byte, byte)>();
            for (int y = (int)b.Y1; y < (int)b.Y2; y++) for (int x = (int)b.X1; x < (int)b.X2; x++) colours.Add(img.GetPixel(x, y));
            Assert.Equal(3, colours.Count); // background in the corners, skin, features
        }
    }

    [Fact]
    public void TheSameSeedWritesTheSameFiles()
    {
        using var a = new TempFolder();
        using var b = new TempFolder();
        using var c = new TempFolder();
        var ra = SyntheticDatasetWriter.Write(a.Path, Small with { ValPerClass = 0, TestPerClass = 0 });
        SyntheticDatasetWriter.Write(b.Path, Small with { ValPerClass = 0, TestPerClass = 0 });
        SyntheticDatasetWriter.Write(c.Path, Small with { ValPerClass = 0, TestPerClass = 0, Seed = 12 });
        Assert.False(Directory.Exists(a.File("val")));
        bool anyDifferent = false;
        foreach (var info in ra.Images)
        {
            string rel = Path.GetRelativePath(a.Path, info.Path);
            Assert.Equal(File.ReadAllBytes(info.Path), File.ReadAllBytes(Path.Combine(b.Path, rel)));
            string other = Path.Combine(c.Path, rel);
            anyDifferent |= !File.Exists(other) || !File.ReadAllBytes(other).AsSpan().SequenceEqual(File.ReadAllBytes(info.Path));
        }
        Assert.True(anyDifferent);
        Assert.Equal(File.ReadAllText(a.File("annotations", "instances_train.json")), File.ReadAllText(b.File("annotations", "instances_train.json")));
    }

    [Fact]
    public void OptionsAreValidated()
    {
        using var dir = new TempFolder();
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticDatasetWriter.Write(dir.Path, Small with { ImageWidth = 8 }));
        Assert.Throws<ArgumentException>(() => SyntheticDatasetWriter.Write(dir.Path, Small with { Classes = [SyntheticShape.Circle, SyntheticShape.Circle] }));
    }
}
