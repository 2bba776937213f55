using Lfm2Vl.Engine;
using Lfm2Vl.Vision.Data;
using Xunit;

namespace Lfm2Vl.Vision.Tests.Data;

public class ColorAndTensorTests
{
    [Fact]
    public void NormalizeUsesImageNetStatisticsByDefault()
    {
        var img = new ImageRgb(1, 1, [255, 0, 128]);
        var chw = ToTensor.ToArray(img, Normalize.ImageNet);
        Assert.Equal((1 - 0.485) / 0.229, chw[0], 5);
        Assert.Equal((0 - 0.456) / 0.224, chw[1], 5);
        Assert.Equal((128 / 255.0 - 0.406) / 0.225, chw[2], 5);
        Assert.Equal([0.485f, 0.456f, 0.406f], new TransformConfig().Mean);
        Assert.Equal([0.229f, 0.224f, 0.225f], new TransformConfig().Std);
    }

    [Fact]
    public void ToTensorLaysOutChannelsFirstInZeroToOne()
    {
        var img = TestImages.Pattern(3, 2);
        var chw = ToTensor.ToArray(img);
        for (int y = 0; y < 2; y++)
            for (int x = 0; x < 3; x++)
            {
                var (r, g, b) = img.GetPixel(x, y);
                Assert.Equal(r / 255f, chw[0 * 6 + y * 3 + x]);
                Assert.Equal(g / 255f, chw[1 * 6 + y * 3 + x]);
                Assert.Equal(b / 255f, chw[2 * 6 + y * 3 + x]);
            }
    }

    [Fact]
    public void NormalizeApplyMatchesTheFusedPath()
    {
        var img = TestImages.Random(7, 5, 3);
        var n = new Normalize([0.5f, 0.25f, 0.1f], [0.2f, 0.3f, 0.4f]);
        var separate = ToTensor.ToArray(img);
        n.Apply(separate, 5, 7);
        var fused = ToTensor.ToArray(img, n);
        for (int i = 0; i < fused.Length; i++) Assert.Equal(separate[i], fused[i], 5);
    }

    [Fact]
    public void SingleImageTensorHasBatchShape()
    {
        using var scope = TensorScope.Begin();
        var t = ToTensor.Create(TestImages.Pattern(5, 4));
        Assert.Equal([1, 3, 4, 5], t.Shape);
    }

    [Fact]
    public void BrightnessContrastSaturationAndHueDoWhatTheySay()
    {
        var img = new ImageRgb(2, 1, [100, 50, 200, 10, 20, 30]);
        var b = img.Clone(); ColorJitter.AdjustBrightness(b, 1.5);
        Assert.Equal(new byte[] { 150, 75, 255, 15, 30, 45 }, b.Pixels);

        var c = img.Clone(); ColorJitter.AdjustContrast(c, 0);
        double mean = (0.299 * 100 + 0.587 * 50 + 0.114 * 200 + 0.299 * 10 + 0.587 * 20 + 0.114 * 30) / 2;
        Assert.All(c.Pixels, p => Assert.Equal((byte)Math.Round(mean), p));

        var s = img.Clone(); ColorJitter.AdjustSaturation(s, 0);
        Assert.Equal(s.Pixels[0], s.Pixels[1]); Assert.Equal(s.Pixels[1], s.Pixels[2]);
        Assert.Equal((byte)Math.Round(0.299 * 100 + 0.587 * 50 + 0.114 * 200), s.Pixels[0]);

        var red = new ImageRgb(1, 1, [255, 0, 0]);
        ColorJitter.AdjustHue(red, 1.0 / 3);
        Assert.Equal(new byte[] { 0, 255, 0 }, red.Pixels);
        var gray = new ImageRgb(1, 1, [90, 90, 90]);
        ColorJitter.AdjustHue(gray, 0.25);
        Assert.Equal(new byte[] { 90, 90, 90 }, gray.Pixels);
    }

    [Fact]
    public void ColorJitterNeverChangesItsInputOrBoxes()
    {
        var img = TestImages.Random(12, 9, 4);
        var copy = img.Pixels.ToArray();
        var boxes = new List<BoundingBox> { new(1, 1, 5, 5, 0) };
        var jitter = new ColorJitter(0.4, 0.4, 0.4, 0.1);
        var outImg = jitter.Apply(img, boxes, new Generator(9), owned: false);
        Assert.Equal(copy, img.Pixels);
        Assert.NotEqual(copy, outImg.Pixels);
        Assert.Equal(new BoundingBox(1, 1, 5, 5, 0), Assert.Single(boxes));
    }

    [Fact]
    public void SpecDefaultsBuildTheExpectedPipelines()
    {
        var cfg = new TransformConfig();
        var train = cfg.BuildTrain();
        Assert.Collection(train.Transforms,
            t => Assert.Equal(224, Assert.IsType<RandomResizedCrop>(t).Width),
            t => Assert.Equal(0.5, Assert.IsType<RandomHorizontalFlip>(t).Probability),
            t => Assert.Equal(0.2, Assert.IsType<ColorJitter>(t).Brightness),
            t => Assert.Equal(10, Assert.IsType<RandomRotation>(t).MaxDegrees));
        var eval = cfg.BuildEval();
        Assert.Equal((256, 256), Assert.IsType<Resize>(eval.Transforms[0]).OutputSize(300, 300));
        Assert.Equal(224, Assert.IsType<CenterCrop>(eval.Transforms[1]).Width);
        Assert.Equal(3 * 224 * 224, eval.ValuesPerImage);
    }

    [Fact]
    public void EvalTransformsAreDeterministic()
    {
        var eval = new TransformConfig { ImageSize = 32 }.BuildEval();
        var sample = new LabeledImage(TestImages.Random(50, 40, 2), 0, [new BoundingBox(5, 5, 30, 30, 0)]);
        var a = new float[eval.ValuesPerImage];
        var b = new float[eval.ValuesPerImage];
        var boxesA = new List<BoundingBox>();
        var boxesB = new List<BoundingBox>();
        eval.Apply(sample, new Generator(1), a, boxesA);
        eval.Apply(sample, new Generator(2), b, boxesB);
        Assert.Equal(a, b);
        Assert.Equal(boxesA, boxesB);
    }

    [Fact]
    public void APipelineThatDoesNotReachItsOutputSizeSaysHowToFixIt()
    {
        var p = new TransformPipeline([new RandomHorizontalFlip()], 8, 8);
        var e = Assert.Throws<InvalidOperationException>(() =>
            p.Apply(new LabeledImage(TestImages.Pattern(5, 5), 0, []), new Generator(0), new float[p.ValuesPerImage], new List<BoundingBox>()));
        Assert.Contains("5x5", e.Message);
        Assert.Contains("Resize", e.Message);
    }
}
