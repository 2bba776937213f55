using Lfm2Vl.Engine;
using Lfm2Vl.Training.Evaluation;
using Lfm2Vl.Training.Reports;
using Lfm2Vl.Vision.Data;
using Lfm2Vl.Vision.Detection;
using Lfm2Vl.Vision.Models;
using StbImageSharp;
using Xunit;

namespace Lfm2Vl.Training.Tests.Evaluation;

public class ModelEvaluatorTests
{
    private static Lfm2VlModel SmallModel(bool detection = true) => ModelRegistry.Create(new ModelConfig
    {
        Backbone = "cnn", Variant = "small", NumClasses = 3, InputSize = 32, Detection = detection, Seed = 3,
    });

    private static readonly EvaluatorOptions EveryDetection = new()
    {
        BatchSize = 5,
        TopK = [1, 3, 5],
        MapDecode = new DecodeOptions(ScoreThreshold: 0f),
        PredictDecode = new DecodeOptions(ScoreThreshold: 0f),
    };

    [Fact]
    public void Evaluates_a_split_end_to_end_and_accuracy_matches_its_confusion_matrix()
    {
        using var data = new TinyShapeFolder(perClass: 4);
        var model = SmallModel();
        var evaluator = new ModelEvaluator(model, TinyShapeFolder.ClassNames, new TransformConfig { ImageSize = 32 }, EveryDetection);
        var result = evaluator.Evaluate(data.Load(DatasetSplit.Val));

        var cls = result.Classification;
        Assert.Equal(12, result.ImageCount);
        Assert.Equal(12, cls.ConfusionMatrix.Total);
        Assert.Equal((double)cls.ConfusionMatrix.Correct / cls.ConfusionMatrix.Total, result.Accuracy, 15);
        Assert.All(cls.PerClass, m => Assert.Equal(4, m.Support));
        Assert.Equal(result.Accuracy, cls.WeightedAverage.Recall, 12); // support-weighted recall is accuracy
        Assert.Equal(1.0, cls.TopKAccuracyFor(3));                      // every class is in the top 3 of 3
        Assert.Null(cls.TopKAccuracyFor(5));                            // k above the class count is dropped
        Assert.True(result.Loss > 0 && double.IsFinite(result.Loss));
        Assert.Equal("cpu", result.Device);

        var det = Assert.IsType<DetectionMetrics>(result.Detection);
        Assert.Equal(12, det.GroundTruthCount);
        Assert.Equal(12, det.ImageCount);
        Assert.True(det.DetectionCount > 0);
        Assert.InRange(det.MapAt50!.Value, 0, 1);
        Assert.InRange(det.MapAt50To95!.Value, 0, det.MapAt50.Value);
        Assert.True(result.DetectionLoss is > 0 and < double.PositiveInfinity);
        Assert.True(model.IsTraining); // the evaluator restores the mode it found
    }

    [Fact]
    public void The_loss_is_the_mean_cross_entropy_of_the_logits()
    {
        using var data = new TinyShapeFolder(perClass: 2);
        var model = SmallModel(detection: false);
        var transforms = new TransformConfig { ImageSize = 32 };
        var dataset = data.Load(DatasetSplit.Val);
        var result = new ModelEvaluator(model, TinyShapeFolder.ClassNames, transforms, new EvaluatorOptions { BatchSize = 4 }).Evaluate(dataset);

        // The same images in one batch, cross-entropy computed here in double from the logits.
        var pipeline = transforms.BuildEval();
        int v = pipeline.ValuesPerImage;
        var pixels = new float[dataset.Count * v];
        var labels = new int[dataset.Count];
        for (int i = 0; i < dataset.Count; i++)
        {
            var s = dataset.Load(i);
            pipeline.Apply(s, new Generator(0), pixels.AsSpan(i * v, v), []);
            labels[i] = s.Label;
        }
        model.Eval();
        float[] logits;
        using (TensorScope.Begin())
        using (GradMode.NoGrad())
            logits = model.Forward(Tensor.FromArray(pixels, dataset.Count, 3, 32, 32)).Logits.ToFloatArray();
        double ce = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            var row = logits.AsSpan(i * 3, 3);
            double max = Math.Max(row[0], Math.Max(row[1], row[2]));
            double lse = max + Math.Log(Math.Exp(row[0] - max) + Math.Exp(row[1] - max) + Math.Exp(row[2] - max));
            ce += lse - row[labels[i]];
        }
        Assert.Equal(ce / labels.Length, result.Loss, 4);
        Assert.Null(result.Detection); // no detector, no detection metrics
    }

    [Fact]
    public void Data_without_boxes_gives_no_detection_metrics()
    {
        var images = Enumerable.Range(0, 6).Select(i => new LabeledImage(TinyShapeFolder.Draw(32, 32, i, i, 10, (200, 0, 0)), i % 3, []));
        var dataset = new InMemoryImageDataset(TinyShapeFolder.ClassNames, images);
        var result = new ModelEvaluator(SmallModel(), TinyShapeFolder.ClassNames, new TransformConfig { ImageSize = 32 }, EveryDetection).Evaluate(dataset);
        Assert.Equal(6, result.ImageCount);
        Assert.Null(result.Detection);
        Assert.Null(result.DetectionLoss);
    }

    [Fact]
    public void Prepared_batches_are_evaluated_and_disposed()
    {
        var model = SmallModel(detection: false);
        var gen = new Generator(5);
        var batches = Enumerable.Range(0, 2).Select(_ => new EvalBatch(
            Tensor.Randn([3, 3, 32, 32], gen).Persist(), Tensor.FromArray(new[] { 0, 1, 2 }, 3).Persist(), [[], [], []])).ToList();
        var result = new ModelEvaluator(model, TinyShapeFolder.ClassNames).Evaluate(batches);
        Assert.Equal(6, result.ImageCount);
        Assert.All(result.Classification.PerClass, m => Assert.Equal(2, m.Support));
        Assert.All(batches, b => Assert.True(b.Images.IsDisposed && b.Labels.IsDisposed));
    }

    [Fact]
    public void Predict_returns_probabilities_that_sum_to_1_and_JSON_that_round_trips()
    {
        using var data = new TinyShapeFolder(perClass: 2);
        var evaluator = new ModelEvaluator(SmallModel(), TinyShapeFolder.ClassNames, new TransformConfig { ImageSize = 32 }, EveryDetection);
        var predictions = evaluator.Predict(data.ValPaths, topK: 2);

        Assert.Equal(data.ValPaths.Count, predictions.Count);
        foreach (var p in predictions)
        {
            Assert.Equal(2, p.TopK.Count);
            Assert.True(p.TopK[0].Probability >= p.TopK[1].Probability);
            Assert.Equal((32, 32), (p.Width, p.Height));
            Assert.All(p.Boxes, b => Assert.True(b.X1 >= 0 && b.Y1 >= 0 && b.X2 <= 32 && b.Y2 <= 32 && b.X1 < b.X2 && b.Y1 < b.Y2));
            Assert.All(p.Boxes, b => Assert.Equal(TinyShapeFolder.ClassNames[b.ClassIndex], b.ClassName));
        }
        var all = evaluator.Predict(data.ValPaths, topK: 10); // more than the classes: all three
        Assert.All(all, p =>
        {
            Assert.Equal(3, p.TopK.Count);
            Assert.Equal(1.0, p.TopK.Sum(t => t.Probability), 12);
            Assert.Equal([0, 1, 2], p.TopK.Select(t => t.ClassIndex).Order());
        });
        Assert.Contains(all, p => p.Boxes.Count > 0);

        var single = evaluator.EvaluateSingleImage(data.ValPaths[0], topK: 10);
        Assert.Equal(all[0].TopK.Select(t => t.ClassIndex), single.TopK.Select(t => t.ClassIndex));
        Assert.Equal(all[0].TopK[0].Probability, single.TopK[0].Probability, 5);

        string json = PredictionJson.Serialize(all);
        Assert.Contains("\"topK\"", json);
        Assert.Contains("\"className\"", json);
        Assert.DoesNotContain("\"best\"", json);
        var back = PredictionJson.Deserialize(json);
        Assert.Equal(json, PredictionJson.Serialize(back));
        Assert.Equal(all.Count, back.Count);
        for (int i = 0; i < all.Count; i++)
        {
            Assert.Equal(all[i].Path, back[i].Path);
            Assert.Equal(all[i].TopK, back[i].TopK);   // element records compare by value
            Assert.Equal(all[i].Boxes, back[i].Boxes);
        }
    }

    [Fact]
    public void Boxes_come_back_in_the_original_images_pixels()
    {
        // A 60x40 image under resize-then-centre-crop to 32: the model sees a crop; its boxes are mapped back.
        var evaluator = new ModelEvaluator(SmallModel(), TinyShapeFolder.ClassNames, new TransformConfig { ImageSize = 32 }, EveryDetection);
        var image = TinyShapeFolder.Draw(60, 40, 20, 10, 15, (30, 200, 30));
        var p = evaluator.Predict([(image, "wide")], topK: 1)[0];
        Assert.Equal((60, 40), (p.Width, p.Height));
        Assert.NotEmpty(p.Boxes);
        var g = EvalGeometry.For(evaluator.Transforms, 60, 40);
        foreach (var b in p.Boxes)
        {
            Assert.True(b.X1 >= 0 && b.X2 <= 60 && b.Y1 >= 0 && b.Y2 <= 40);
            // Back to input pixels, every box lies inside the 32x32 input (decoded boxes are clipped to it).
            var input = g.ToInput(new BoundingBox((float)b.X1, (float)b.Y1, (float)b.X2, (float)b.Y2, b.ClassIndex));
            Assert.True(input.X1 >= -1e-3 && input.Y1 >= -1e-3 && input.X2 <= 32 + 1e-3 && input.Y2 <= 32 + 1e-3, input.ToString());
        }
    }

    [Theory]
    [InlineData(EvalResize.ResizeThenCenterCrop, 60, 40)]
    [InlineData(EvalResize.ResizeThenCenterCrop, 40, 75)]
    [InlineData(EvalResize.ResizeThenCenterCrop, 20, 20)]
    [InlineData(EvalResize.Resize, 60, 40)]
    public void EvalGeometry_maps_boxes_as_the_eval_pipeline_does(EvalResize resize, int width, int height)
    {
        var config = new TransformConfig { ImageSize = 32, EvalResize = resize };
        var g = EvalGeometry.For(config, width, height);
        var original = new BoundingBox(width * 0.4f, height * 0.35f, width * 0.6f, height * 0.65f, 1);
        var boxes = new List<BoundingBox> { original };
        var output = config.BuildEval().ApplyImage(new ImageRgb(width, height), boxes, new Generator(0));
        Assert.Equal((32, 32), (output.Width, output.Height));
        var expected = Assert.Single(boxes);
        var mapped = g.ToInput(original);
        Assert.Equal(expected.X1, mapped.X1, 3);
        Assert.Equal(expected.Y1, mapped.Y1, 3);
        Assert.Equal(expected.X2, mapped.X2, 3);
        Assert.Equal(expected.Y2, mapped.Y2, 3);
        var back = g.ToOriginal(mapped);
        Assert.Equal(original.X1, back.X1, 3);
        Assert.Equal(original.Y2, back.Y2, 3);
    }

    [Fact]
    public void An_annotated_copy_is_written_with_the_boxes_drawn()
    {
        using var data = new TinyShapeFolder(perClass: 1);
        var evaluator = new ModelEvaluator(SmallModel(), TinyShapeFolder.ClassNames, new TransformConfig { ImageSize = 32 }, EveryDetection);
        var p = evaluator.EvaluateSingleImage(data.ValPaths[0]);
        Assert.NotEmpty(p.Boxes);
        string output = Path.Combine(data.Root, "annotated", "copy.png");
        BoxOverlay.SaveAnnotatedCopy(p, output);
        var decoded = ImageResult.FromMemory(File.ReadAllBytes(output), ColorComponents.RedGreenBlue);
        Assert.Equal((32, 32), (decoded.Width, decoded.Height));
        var original = ImageDecoder.DecodeFile(p.Path);
        Assert.NotEqual(original.Pixels, decoded.Data);
    }

    [Fact]
    public void Benchmark_returns_positive_consistent_rows()
    {
        var model = SmallModel();
        var result = InferenceBenchmark.Run(model, new BenchmarkOptions { BatchSizes = [1, 3], WarmupRuns = 1, Runs = 3 });
        Assert.Equal("cpu", result.Device);
        Assert.Equal([1, 3], result.Rows.Select(r => r.BatchSize));
        foreach (var r in result.Rows)
        {
            Assert.Equal(3, r.Runs);
            Assert.True(r.MinMs > 0);
            Assert.True(r.MinMs <= r.P50Ms && r.P50Ms <= r.P95Ms);
            Assert.True(r.MeanMs >= r.MinMs);
            Assert.Equal(r.BatchSize * 1000.0 / r.MeanMs, r.ImagesPerSecond, 9);
        }
        Assert.True(model.IsTraining);
    }

    [Fact]
    public void Percentiles_interpolate_linearly_like_numpy()
    {
        double[] sorted = [1, 2, 3, 4, 10];
        Assert.Equal(3, InferenceBenchmark.Percentile(sorted, 50), 12);
        Assert.Equal(8.8, InferenceBenchmark.Percentile(sorted, 95), 12);   // numpy.percentile(..., 95)
        Assert.Equal(1, InferenceBenchmark.Percentile(sorted, 0), 12);
        Assert.Equal(10, InferenceBenchmark.Percentile(sorted, 100), 12);
        var row = InferenceBenchmark.Row("cpu", "m", 32, [4.0, 2.0, 6.0]);
        Assert.Equal(4.0, row.MeanMs, 12);
        Assert.Equal(8000.0, row.ImagesPerSecond, 9);
        Assert.Equal(2.0, row.MinMs);
    }
}
