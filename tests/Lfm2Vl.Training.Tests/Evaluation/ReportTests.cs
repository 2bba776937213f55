using Lfm2Vl.Training.Evaluation;
using Lfm2Vl.Training.Reports;
using Lfm2Vl.Vision.Data;
using Lfm2Vl.Vision.Detection;
using StbImageSharp;
using Xunit;

namespace Lfm2Vl.Training.Tests.Evaluation;

public sealed class ReportTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "lfm2vl-report-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static readonly string[] Names = ["cat", "dog", "fox | wild"];

    private static EvaluationResult SampleResult()
    {
        var cls = ClassificationMetrics.FromLogits(
            [3, 1, 0, 0, 2, 1, 1, 0, 2, 2, 1, 0, 0, 0, 5, 0, 4, 1],
            [0, 1, 2, 0, 2, 2], Names, topK: [1, 2]);
        var det = new DetectionAccumulator(Names);
        det.AddImage([new DetectedObject(new BoundingBox(0, 0, 10, 10, 0), 0.9f), new DetectedObject(new BoundingBox(5, 5, 9, 9, 1), 0.4f)],
                     [new BoundingBox(0, 0, 10, 10, 0), new BoundingBox(4, 4, 9, 9, 1)]);
        det.AddImage([new DetectedObject(new BoundingBox(1, 1, 6, 6, 0), 0.5f)], [new BoundingBox(20, 20, 30, 30, 0)]);
        return new EvaluationResult
        {
            ModelName = "lfm2_vl-cnn-small", Device = "cpu", ImageCount = 6, Classification = cls, Loss = 0.75,
            Detection = det.Compute(), DetectionLoss = 1.5,
        };
    }

    private static BenchmarkResult SampleBenchmark() => new("cpu", "lfm2_vl-cnn-small", 32,
        [InferenceBenchmark.Row("cpu", "lfm2_vl-cnn-small", 1, [2.0, 2.5, 3.0]), InferenceBenchmark.Row("cpu", "lfm2_vl-cnn-small", 32, [40.0, 44.0])]);

    [Fact]
    public void Writes_every_file_non_empty_with_decodable_plots()
    {
        var files = EvaluationReport.Write(_folder, SampleResult(), SampleBenchmark());
        Assert.All(files.All, f => Assert.True(new FileInfo(f).Length > 0, f));
        Assert.Equal(2, files.PrecisionRecallPngs.Count); // classes with ground truth: cat, dog
        foreach (var png in files.PrecisionRecallPngs.Append(files.ConfusionMatrixPng))
        {
            var image = ImageResult.FromMemory(File.ReadAllBytes(png), ColorComponents.RedGreenBlue);
            Assert.True(image.Width >= 300 && image.Height >= 300, $"{png}: {image.Width}x{image.Height}");
            Assert.True(image.Data.Distinct().Count() > 10, $"{png} looks blank");
        }
    }

    [Fact]
    public void Markdown_and_html_hold_the_same_tables()
    {
        var files = EvaluationReport.Write(_folder, SampleResult(), SampleBenchmark(), "Val report");
        string md = File.ReadAllText(files.Markdown);
        string html = File.ReadAllText(files.Html);

        foreach (var heading in new[] { "Overall metrics", "Per-class metrics", "Confusion matrix", "Most confused pairs", "Detection", "Inference benchmark" })
        {
            Assert.Contains("## " + heading, md);
            Assert.Contains($"<h2>{heading}</h2>", html);
        }
        Assert.StartsWith("# Val report", md);
        Assert.Contains("| Accuracy | 0.8333 |", md);
        Assert.Contains("<td>Accuracy</td><td class=\"num\">0.8333</td>", html);
        Assert.Contains("| Top-2 accuracy |", md);
        Assert.Contains("| mAP@0.5 |", md);
        Assert.Contains("| weighted avg |", md);
        Assert.Contains("| fox \\| wild |", md);              // a pipe in a class name does not break the table
        Assert.Contains("fox | wild", html);
        Assert.Contains("![Confusion matrix (colour: fraction of the true class)](confusion_matrix.png)", md);
        Assert.Contains("<img src=\"confusion_matrix.png\"", html);
        Assert.Contains("(pr_cat.png)", md);
        Assert.Contains("<img src=\"pr_dog.png\"", html);
        Assert.Contains("| cpu | 32 | 42.0 ms | 42.0 ms | 43.8 ms | 761.9 |", md);
        Assert.Contains("<td>cpu</td><td class=\"num\">1</td><td class=\"num\">2.50 ms</td>", html);
        Assert.Equal(CountRows(md), CountHtmlRows(html));
    }

    [Fact]
    public void The_confusion_matrix_csv_has_a_header_and_one_row_per_true_class()
    {
        var m = ConfusionMatrix.From([0, 0, 1, 2], [0, 1, 1, 0], 3);
        string csv = ConfusionMatrixCsv.Format(m, ["a", "b,c", "d\"e"]);
        Assert.Equal("true \\ predicted,a,\"b,c\",\"d\"\"e\"\na,1,1,0\n\"b,c\",0,1,0\n\"d\"\"e\",1,0,0\n", csv);
    }

    [Fact]
    public void A_report_without_detection_or_benchmark_leaves_those_sections_out()
    {
        var result = SampleResult() with { Detection = null, DetectionLoss = null };
        var files = EvaluationReport.Write(_folder, result);
        string md = File.ReadAllText(files.Markdown);
        Assert.DoesNotContain("## Detection", md);
        Assert.DoesNotContain("## Inference benchmark", md);
        Assert.DoesNotContain("mAP", md);
        Assert.Empty(files.PrecisionRecallPngs);
    }

    [Fact]
    public void Box_outlines_cover_the_edges_only()
    {
        var image = new ImageRgb(12, 10);
        var drawn = BoxOverlay.Draw(image, [new PredictedBox(0, "cat", 0.9, 2, 3, 8, 9)], thickness: 1);
        var color = BoxOverlay.ColorOf(0);
        Assert.Equal(color, drawn.GetPixel(2, 3));   // top-left corner pixel
        Assert.Equal(color, drawn.GetPixel(7, 8));   // bottom-right pixel (edges are exclusive)
        Assert.Equal(color, drawn.GetPixel(5, 3));   // top edge
        Assert.Equal(color, drawn.GetPixel(2, 6));   // left edge
        Assert.Equal(((byte)0, (byte)0, (byte)0), drawn.GetPixel(5, 6)); // inside
        Assert.Equal(((byte)0, (byte)0, (byte)0), drawn.GetPixel(8, 9)); // outside
        Assert.Equal(((byte)0, (byte)0, (byte)0), image.GetPixel(2, 3)); // the input is not modified
        // A box partly outside the image is clipped, not an error.
        BoxOverlay.DrawRectangle(image, -5, -5, 3, 3, color, 2);
        Assert.Equal(color, image.GetPixel(2, 2));
    }

    private static int CountRows(string md) => md.Split('\n').Count(l => l.StartsWith('|') && !l.StartsWith("| ---") && !l.Contains("---:"));
    private static int CountHtmlRows(string html) => html.Split("<tr>").Length - 1;
}
