using Lfm2Vl.Engine;
using Lfm2Vl.Vision.Data;
using Lfm2Vl.Vision.Detection;
using Lfm2Vl.Vision.Models;

namespace Lfm2Vl.Training.Evaluation;

/// <summary>
/// Evaluates a model on a split (classification metrics, loss, and detection mAP when the model has a
/// detector and the data has boxes) and predicts single images. Runs the model in eval mode under NoGrad with
/// a tensor scope per batch, on the device that holds its parameters; the model's previous mode is restored.
/// </summary>
public sealed class ModelEvaluator
{
    private readonly TransformPipeline _pipeline;

    /// <param name="transforms">Evaluation transforms (default: the model's input size, ImageNet normalization);
    /// use the training run's settings so images reach the model as they did in training.</param>
    public ModelEvaluator(Lfm2VlModel model, IReadOnlyList<string> classNames, TransformConfig? transforms = null, EvaluatorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (classNames.Count != model.Config.NumClasses)
            throw new ArgumentException($"{classNames.Count} class names for a model with {model.Config.NumClasses} classes.", nameof(classNames));
        Model = model;
        ClassNames = classNames.ToArray();
        Transforms = transforms ?? new TransformConfig { ImageSize = model.Config.InputSize };
        Options = options ?? new EvaluatorOptions();
        if (Options.BatchSize < 1) throw new ArgumentOutOfRangeException(nameof(options), "The batch size must be positive.");
        _pipeline = Transforms.BuildEval();
        Device = model.Parameters().FirstOrDefault()?.Data.Device ?? Device.Cpu;
    }

    public Lfm2VlModel Model { get; }
    public IReadOnlyList<string> ClassNames { get; }
    public TransformConfig Transforms { get; }
    public EvaluatorOptions Options { get; }
    public Device Device { get; }

    /// <summary>Evaluates a dataset through this evaluator's transforms.</summary>
    public EvaluationResult Evaluate(IImageDataset dataset, Action<DataWarning>? onWarning = null) =>
        Evaluate(DatasetBatches.Enumerate(dataset, _pipeline, Options.BatchSize, Device, onWarning));

    /// <summary>Evaluates a dataset through the evaluation transforms of <paramref name="transforms"/>.</summary>
    public EvaluationResult Evaluate(IImageDataset dataset, TransformConfig transforms, Action<DataWarning>? onWarning = null) =>
        Evaluate(DatasetBatches.Enumerate(dataset, transforms.BuildEval(), Options.BatchSize, Device, onWarning));

    /// <summary>Evaluates prepared batches (e.g. from an ImageBatchLoader with evaluation transforms); each batch is disposed after use.</summary>
    public EvaluationResult Evaluate(IEnumerable<EvalBatch> batches)
    {
        var classification = new ClassificationAccumulator(ClassNames, Options.TopK);
        var detection = Model.Detector is null ? null : new DetectionAccumulator(ClassNames, Options.MapDecode.MaxDetections);
        double lossSum = 0, detectionLossSum = 0;
        int images = 0;
        using var mode = new EvalMode(Model);
        foreach (var batch in batches)
        {
            using (batch)
            using (TensorScope.Begin())
            using (GradMode.NoGrad())
            {
                var input = OnDevice(batch.Images);
                var labels = OnDevice(batch.Labels);
                var output = Model.Forward(input);
                classification.Add(output.Logits, labels);
                lossSum += Functional.CrossEntropy(output.Logits, labels, reduction: Reduction.Sum).Item();
                if (detection is not null && output.Detection is { } maps)
                {
                    int h = input.Size(2), w = input.Size(3);
                    detection.AddBatch(DetectionDecoder.Decode(maps, w, h, Options.MapDecode), batch.Boxes);
                    detectionLossSum += DetectionLoss.Compute(maps, batch.Boxes).Total.Item() * batch.Count;
                }
                images += batch.Count;
            }
        }
        bool hasBoxes = detection is not null && detection.GroundTruthCount > 0;
        return new EvaluationResult
        {
            ModelName = Model.Config.Name,
            Device = Device.ToString(),
            ImageCount = images,
            Classification = classification.Compute(Options.MostConfusedPairs),
            Loss = images == 0 ? 0 : lossSum / images,
            Detection = hasBoxes ? detection!.Compute() : null,
            DetectionLoss = hasBoxes ? detectionLossSum / images : null,
        };
    }

    /// <summary>Top-k classes (and boxes, with a detector) for one image file.</summary>
    public ImagePrediction EvaluateSingleImage(string path, int topK = 5) => Predict([path], topK)[0];

    /// <summary>Top-k classes (and boxes) for image files, run in batches; throws ImageDecodeException for an unreadable file.</summary>
    public IReadOnlyList<ImagePrediction> Predict(IEnumerable<string> paths, int topK = 5) =>
        Predict(paths.Select(p => (ImageDecoder.DecodeFile(p), p)), topK);

    /// <summary>Top-k classes (and boxes, in the image's own pixels) for decoded images.</summary>
    public IReadOnlyList<ImagePrediction> Predict(IEnumerable<(ImageRgb Image, string Name)> images, int topK = 5)
    {
        if (topK < 1) throw new ArgumentOutOfRangeException(nameof(topK), "topK must be at least 1.");
        var result = new List<ImagePrediction>();
        using var mode = new EvalMode(Model);
        foreach (var chunk in images.Chunk(Options.BatchSize)) result.AddRange(PredictBatch(chunk, topK));
        return result;
    }

    private List<ImagePrediction> PredictBatch((ImageRgb Image, string Name)[] items, int topK)
    {
        int n = items.Length, v = _pipeline.ValuesPerImage, c = ClassNames.Count;
        var pixels = new float[n * v];
        Parallel.For(0, n, i => _pipeline.Apply(new LabeledImage(items[i].Image, 0, []), new Generator(0), pixels.AsSpan(i * v, v), []));
        using var scope = TensorScope.Begin();
        using var noGrad = GradMode.NoGrad();
        var input = Tensor.From<float>(pixels, DType.Float32, [n, 3, _pipeline.OutputHeight, _pipeline.OutputWidth], Device);
        var output = Model.Forward(input);
        var logits = output.Logits.ToFloatArray();
        var detections = output.Detection is { } maps
            ? DetectionDecoder.Decode(maps, _pipeline.OutputWidth, _pipeline.OutputHeight, Options.PredictDecode)
            : null;

        var predictions = new List<ImagePrediction>(n);
        for (int i = 0; i < n; i++)
        {
            var (image, name) = items[i];
            var probabilities = Softmax(logits.AsSpan(i * c, c));
            var top = Enumerable.Range(0, c)
                .OrderByDescending(k => probabilities[k]).ThenBy(k => k)
                .Take(Math.Min(topK, c))
                .Select(k => new ClassProbability(k, ClassNames[k], probabilities[k]))
                .ToArray();
            var boxes = Array.Empty<PredictedBox>();
            if (detections is not null)
            {
                var geometry = EvalGeometry.For(Transforms, image.Width, image.Height);
                boxes = detections[i]
                    .Select(d => (d.Score, Box: geometry.ToOriginal(d.Box)))
                    .Where(d => d.Box.Area > 0)
                    .Select(d => new PredictedBox(d.Box.Label, ClassNames[d.Box.Label], d.Score, d.Box.X1, d.Box.Y1, d.Box.X2, d.Box.Y2))
                    .ToArray();
            }
            predictions.Add(new ImagePrediction(name, image.Width, image.Height, top, boxes));
        }
        return predictions;
    }

    /// <summary>Softmax in double precision, so the probabilities sum to 1 to rounding.</summary>
    internal static double[] Softmax(ReadOnlySpan<float> logits)
    {
        double max = double.NegativeInfinity;
        foreach (float l in logits) max = Math.Max(max, l);
        var p = new double[logits.Length];
        double sum = 0;
        for (int k = 0; k < p.Length; k++) sum += p[k] = Math.Exp(logits[k] - max);
        for (int k = 0; k < p.Length; k++) p[k] /= sum;
        return p;
    }

    private Tensor OnDevice(Tensor t) => t.Device == Device ? t : t.To(Device);

    /// <summary>Puts the model in eval mode and restores training mode on dispose if it was training.</summary>
    private readonly struct EvalMode : IDisposable
    {
        private readonly Lfm2VlModel _model;
        private readonly bool _wasTraining;

        public EvalMode(Lfm2VlModel model)
        {
            _model = model;
            _wasTraining = model.IsTraining;
            model.Eval();
        }

        public void Dispose()
        {
            if (_wasTraining) _model.Train();
        }
    }
}
