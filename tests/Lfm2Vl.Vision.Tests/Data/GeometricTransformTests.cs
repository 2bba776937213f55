using Lfm2Vl.Engine;
using Lfm2Vl.Vision.Data;
using Xunit;

namespace Lfm2Vl.Vision.Tests.Data;

/// <summary>Hand-checked pixel and box mappings of the geometric transforms.</summary>
public class GeometricTransformTests
{
    private static readonly Generator AnyRng = new(0);

    [Fact]
    public void UpscalingIsBilinearWithHalfPixelCentres()
    {
        var img = new ImageRgb(2, 1, [0, 0, 0, 200, 200, 200]);
        var up = new Resize(4, 1).Apply(img, new List<BoundingBox>(), AnyRng, owned: false);
        // centres 0.25, 0.75, 1.25, 1.75 in source pixels: 0, 0.75*0+0.25*200, 0.25*0+0.75*200, 200
        Assert.Equal(new byte[] { 0, 50, 150, 200 }, up.Pixels.Where((_, i) => i % 3 == 0).ToArray());
    }

    [Fact]
    public void DownscalingAveragesWithAWidenedTriangleFilter()
    {
        var img = new ImageRgb(4, 1, [0, 0, 0, 100, 100, 100, 200, 200, 200, 40, 40, 40]);
        var down = new Resize(2, 1).Apply(img, new List<BoundingBox>(), AnyRng, owned: false);
        // output 0 is centred on source 1.0 with support 2: weights 0.75, 0.75, 0.25 over pixels 0..2 (normalised)
        Assert.Equal((byte)Math.Round((0 * 0.75 + 100 * 0.75 + 200 * 0.25) / 1.75), down.Pixels[0]);
        // output 1 is centred on 3.0: pixels 1..3 with weights 0.25, 0.75, 0.75
        Assert.Equal((byte)Math.Round((100 * 0.25 + 200 * 0.75 + 40 * 0.75) / 1.75), down.Pixels[3]);
    }

    [Theory]
    [InlineData(37, 23, 10, 41)]
    [InlineData(16, 16, 64, 5)]
    public void ResizingAConstantImageKeepsItConstant(int w, int h, int ow, int oh)
    {
        var img = TestImages.Solid(w, h, 17, 130, 250);
        var r = new Resize(ow, oh).Apply(img, new List<BoundingBox>(), AnyRng, owned: false);
        Assert.Equal((ow, oh), (r.Width, r.Height));
        Assert.All(Enumerable.Range(0, ow * oh), i => Assert.Equal((17, 130, 250), (r.Pixels[3 * i], r.Pixels[3 * i + 1], r.Pixels[3 * i + 2])));
    }

    [Fact]
    public void ResizeScalesBoxes()
    {
        var boxes = new List<BoundingBox> { new(10, 10, 30, 20, 3) };
        new Resize(50, 100).Apply(TestImages.Pattern(100, 50), boxes, AnyRng, owned: false);
        Assert.Equal(new BoundingBox(5, 20, 15, 40, 3), Assert.Single(boxes));
    }

    [Fact]
    public void ShorterSideResizeKeepsAspectRatioLikeTorchvision()
    {
        Assert.Equal((256, 341), Resize.ShorterSide(256).OutputSize(300, 400)); // int(256 * 400 / 300) = 341
        Assert.Equal((384, 256), Resize.ShorterSide(256).OutputSize(150, 100));
    }

    [Fact]
    public void CenterCropTakesTheMiddleAndMovesBoxes()
    {
        var src = TestImages.Pattern(10, 8);
        var boxes = new List<BoundingBox> { new(0, 0, 5, 5, 0), new(0, 0, 2, 1, 1) };
        var c = new CenterCrop(4).Apply(src, boxes, AnyRng, owned: false);
        // offsets: round((10 - 4) / 2) = 3, round((8 - 4) / 2) = 2
        Assert.Equal(src.GetPixel(3, 2), c.GetPixel(0, 0));
        Assert.Equal(src.GetPixel(6, 5), c.GetPixel(3, 3));
        // the first box is clipped to (0, 0, 2, 3); the second ends up outside and is dropped
        Assert.Equal(new BoundingBox(0, 0, 2, 3, 0), Assert.Single(boxes));
    }

    [Fact]
    public void CenterCropRoundsHalfOffsetsToEvenAndPadsLargerCrops()
    {
        Assert.Equal(2, CenterCrop.Offset(5, 2)); // round(1.5) = 2 as Python's round
        Assert.Equal(0, CenterCrop.Offset(5, 4)); // round(0.5) = 0
        var src = TestImages.Pattern(2, 2);
        var boxes = new List<BoundingBox> { new(0, 0, 2, 2, 0) };
        var c = new CenterCrop(4).Apply(src, boxes, AnyRng, owned: false);
        Assert.Equal(((byte)0, (byte)0, (byte)0), c.GetPixel(0, 0));
        Assert.Equal(src.GetPixel(0, 0), c.GetPixel(1, 1));
        Assert.Equal(src.GetPixel(1, 1), c.GetPixel(2, 2));
        Assert.Equal(new BoundingBox(1, 1, 3, 3, 0), Assert.Single(boxes));
    }

    [Fact]
    public void CropAndScaleMapsBoxesIntoTheOutput()
    {
        var boxes = new List<BoundingBox> { new(20, 30, 60, 70, 2), new(0, 0, 10, 10, 1), new(10, 20, 10.4f, 20.4f, 0), new(30, 20, 30.4f, 60, 3) };
        BoxGeometry.CropAndScale(boxes, 10, 20, 40, 40, 80, 80);
        // (20-10)*2, (30-20)*2, (60-10)*2 = 100 -> 80, (70-20)*2 = 100 -> 80; the second box lies left of the crop,
        // the third is 0.8 x 0.8 px after scaling (area < 1) and is dropped; the fourth is thin but 0.8 x 80 px
        Assert.Equal(2, boxes.Count);
        Assert.Equal(new BoundingBox(20, 20, 80, 80, 2), boxes[0]);
        Assert.Equal(new BoundingBox(40, 0, 40.8f, 80, 3), boxes[1]);
    }

    [Fact]
    public void RandomResizedCropWithFullScaleAndSquareRatioIsAPlainResize()
    {
        var src = TestImages.Pattern(40, 40);
        var rrc = new RandomResizedCrop(24, 24, (1, 1), (1, 1));
        var boxes = new List<BoundingBox> { new(10, 10, 20, 30, 0) };
        var a = rrc.Apply(src, boxes, new Generator(5), owned: false);
        var b = new Resize(24, 24).Apply(src, new List<BoundingBox>(), AnyRng, owned: false);
        Assert.Equal(b.Pixels, a.Pixels);
        Assert.Equal(new BoundingBox(6, 6, 12, 18, 0), Assert.Single(boxes));
    }

    [Fact]
    public void RandomResizedCropFallsBackToACentralCropForExtremeImages()
    {
        // A 200x4 strip: no crop of ratio in [3/4, 4/3] and area >= 8% fits, so after 10 attempts torchvision
        // takes the central crop of width round(4 * 4/3) = 5.
        var rrc = new RandomResizedCrop(8, 8, (0.5, 1), (3.0 / 4, 4.0 / 3));
        Assert.Equal((97, 0, 5, 4), rrc.SampleRegion(200, 4, new Generator(1)));
    }

    [Fact]
    public void FlipMirrorsPixelsAndBoxes()
    {
        var src = TestImages.Pattern(10, 3);
        var boxes = new List<BoundingBox> { new(2, 1, 5, 3, 4) };
        var f = new RandomHorizontalFlip(1).Apply(src, boxes, AnyRng, owned: false);
        for (int y = 0; y < 3; y++) for (int x = 0; x < 10; x++) Assert.Equal(src.GetPixel(9 - x, y), f.GetPixel(x, y));
        Assert.Equal(new BoundingBox(5, 1, 8, 3, 4), Assert.Single(boxes));
        Assert.NotSame(src, f);
        Assert.Equal(TestImages.Pattern(10, 3).Pixels, src.Pixels); // input untouched
    }

    [Fact]
    public void FlipWithProbabilityZeroReturnsTheInput()
    {
        var src = TestImages.Pattern(5, 5);
        Assert.Same(src, new RandomHorizontalFlip(0).Apply(src, new List<BoundingBox>(), new Generator(3), owned: false));
    }

    [Fact]
    public void RotationByNinetyDegreesTurnsPixelsAndBoxesCounterClockwise()
    {
        var src = TestImages.Pattern(4, 4);
        var boxes = new List<BoundingBox> { new(0, 0, 2, 1, 7) };
        var r = new RandomRotation(90, 90).Apply(src, boxes, AnyRng, owned: false);
        // counter-clockwise on screen: pixel (x, y) goes to (y, 3 - x)
        for (int y = 0; y < 4; y++) for (int x = 0; x < 4; x++) Assert.Equal(src.GetPixel(x, y), r.GetPixel(y, 3 - x));
        var b = Assert.Single(boxes);
        Assert.Equal(0, b.X1, 4); Assert.Equal(2, b.Y1, 4); Assert.Equal(1, b.X2, 4); Assert.Equal(4, b.Y2, 4);
    }

    [Fact]
    public void SmallRotationRefitsTheBoxAroundTheRotatedCornersAndBlackensCorners()
    {
        var src = TestImages.Solid(40, 40, 255, 255, 255);
        var boxes = new List<BoundingBox> { new(10, 10, 30, 30, 0) };
        var r = new RandomRotation(30, 30).Apply(src, boxes, AnyRng, owned: false);
        // a 20x20 square turned by 30 degrees is bounded by 20 * (cos 30 + sin 30) = 27.32 on each side
        var b = Assert.Single(boxes);
        double half = 10 * (Math.Cos(Math.PI / 6) + Math.Sin(Math.PI / 6));
        Assert.Equal(20 - half, b.X1, 3); Assert.Equal(20 + half, b.X2, 3);
        Assert.Equal(20 - half, b.Y1, 3); Assert.Equal(20 + half, b.Y2, 3);
        Assert.Equal(((byte)0, (byte)0, (byte)0), r.GetPixel(0, 0));
        Assert.Equal(((byte)255, (byte)255, (byte)255), r.GetPixel(20, 20));
    }

    [Fact]
    public void RotatedBoxesAreClippedToTheImage()
    {
        var boxes = new List<BoundingBox> { new(0, 0, 40, 40, 0) };
        BoxGeometry.Rotate(boxes, 40, 40, 20);
        Assert.Equal(new BoundingBox(0, 0, 40, 40, 0), Assert.Single(boxes));
    }
}
