using Lfm2Vl.Vision.Data;
using StbImageWriteSharp;
using Xunit;

namespace Lfm2Vl.Vision.Tests.Data;

public class ImageDecoderTests
{
    [Fact]
    public void PngAndBmpRoundTripExactly()
    {
        var img = TestImages.Pattern(23, 17);
        foreach (var format in new[] { ImageFileFormat.Png, ImageFileFormat.Bmp })
        {
            var back = ImageDecoder.Decode(ImageEncoder.Encode(img, format));
            Assert.Equal((23, 17), (back.Width, back.Height));
            Assert.Equal(img.Pixels, back.Pixels);
        }
    }

    [Fact]
    public void JpegDecodesCloseToTheOriginal()
    {
        var img = TestImages.Solid(32, 24, 200, 60, 30);
        var back = ImageDecoder.Decode(ImageEncoder.Encode(img, ImageFileFormat.Jpeg, 95));
        Assert.Equal((32, 24), (back.Width, back.Height));
        for (int i = 0; i < img.Pixels.Length; i++) Assert.InRange(Math.Abs(img.Pixels[i] - back.Pixels[i]), 0, 6);
    }

    [Fact]
    public void GrayscalePngIsExpandedToThreeEqualChannels()
    {
        var gray = new byte[5 * 4];
        for (int i = 0; i < gray.Length; i++) gray[i] = (byte)(i * 12);
        using var ms = new MemoryStream();
        new ImageWriter().WritePng(gray, 5, 4, ColorComponents.Grey, ms);
        var img = ImageDecoder.Decode(ms.ToArray());
        for (int i = 0; i < gray.Length; i++)
            Assert.Equal((gray[i], gray[i], gray[i]), (img.Pixels[3 * i], img.Pixels[3 * i + 1], img.Pixels[3 * i + 2]));
    }

    [Fact]
    public void AlphaIsDroppedKeepingTheStoredColour()
    {
        byte[] rgba = [10, 20, 30, 0, 40, 50, 60, 128, 70, 80, 90, 255];
        using var ms = new MemoryStream();
        new ImageWriter().WritePng(rgba, 3, 1, ColorComponents.RedGreenBlueAlpha, ms);
        var img = ImageDecoder.Decode(ms.ToArray());
        Assert.Equal(new byte[] { 10, 20, 30, 40, 50, 60, 70, 80, 90 }, img.Pixels);
    }

    [Theory]
    [InlineData(ImageCorruption.Empty, "empty")]
    [InlineData(ImageCorruption.Garbage, "not a decodable image")]
    [InlineData(ImageCorruption.TruncatedPng, "not a decodable image")]
    [InlineData(ImageCorruption.TruncatedJpeg, "truncated")]
    public void BrokenFilesThrowNamingTheFile(ImageCorruption kind, string reason)
    {
        using var dir = new TempFolder();
        string path = dir.File("broken" + (kind == ImageCorruption.TruncatedJpeg ? ".jpg" : ".png"));
        CorruptImageWriter.Write(path, kind);
        var e = Assert.Throws<ImageDecodeException>(() => ImageDecoder.DecodeFile(path));
        Assert.Equal(path, e.Path);
        Assert.Contains(path, e.Message);
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void HeaderCheckReadsSizeAndRejectsEmptyAndGarbage()
    {
        using var dir = new TempFolder();
        TestImages.Write(dir.File("ok.jpg"), 20, 16);
        Assert.Equal((20, 16), ImageDecoder.ReadSize(dir.File("ok.jpg"), out var none));
        Assert.Null(none);
        CorruptImageWriter.Write(dir.File("empty.png"), ImageCorruption.Empty);
        Assert.Null(ImageDecoder.ReadSize(dir.File("empty.png"), out var p1));
        Assert.Contains("empty", p1);
        CorruptImageWriter.Write(dir.File("junk.png"), ImageCorruption.Garbage);
        Assert.Null(ImageDecoder.ReadSize(dir.File("junk.png"), out var p2));
        Assert.NotNull(p2);
    }

    [Theory]
    [InlineData("a.jpg", true), InlineData("a.JPEG", true), InlineData("a.Png", true), InlineData("a.BMP", true)]
    [InlineData("a.txt", false), InlineData("a.gif", false), InlineData("jpg", false)]
    public void ExtensionsAreMatchedIgnoringCase(string name, bool expected) => Assert.Equal(expected, ImageDecoder.HasImageExtension(name));
}
