using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Lfm2Vl.Deploy.Graph;
using Lfm2Vl.Deploy.Inference;
using Lfm2Vl.Engine;

namespace Lfm2Vl.Deploy.Quantization;

/// <summary>
/// Runs the float graph on sample images and chooses every convolution input's uint8 range: a first pass records
/// min/max, a second (for <see cref="CalibrationMethod.Mse"/>) a histogram over that range to choose the clipping.
/// </summary>
public static class ActivationCalibrator
{
    public static IReadOnlyDictionary<ConvNode, ActivationRange> Calibrate(InferenceGraph graph, IEnumerable<Tensor> images,
        CalibrationMethod method = CalibrationMethod.MinMax)
    {
        var batches = images as IReadOnlyList<Tensor> ?? images.ToList();
        if (batches.Count == 0) throw new ArgumentException("Calibration needs at least one batch of images.", nameof(images));
        var ranges = new Dictionary<ConvNode, ActivationRange>();
        Run(graph, batches, (node, x) =>
        {
            float min = TensorPrimitives.Min(x), max = TensorPrimitives.Max(x);
            lock (ranges) ranges[node] = ranges.TryGetValue(node, out var r) ? r.Union(min, max) : ActivationRange.From(min, max);
        });
        if (method == CalibrationMethod.MinMax) return ranges;
        var histograms = ranges.ToDictionary(kv => kv.Key, kv => new ActivationHistogram(kv.Value));
        Run(graph, batches, (node, x) => { lock (histograms[node]) histograms[node].Add(x); });
        return histograms.ToDictionary(kv => kv.Key, kv => kv.Value.Range(method));
    }

    private static void Run(InferenceGraph graph, IReadOnlyList<Tensor> batches, Action<ConvNode, ReadOnlySpan<float>> observe)
    {
        var model = new InferenceModel(graph, node => new Observing(node, observe));
        foreach (var batch in batches) model.Predict(batch).Dispose();
    }

    /// <summary>A float conv that first shows its input to an observer.</summary>
    private sealed unsafe class Observing(ConvNode node, Action<ConvNode, ReadOnlySpan<float>> observe) : ConvExecutor(node)
    {
        private readonly FloatConvExecutor _inner = new(node);

        public override long WeightBytes => _inner.WeightBytes;

        public override void Execute(float* x, int n, int h, int w, float* y, int oh, int ow)
        {
            observe(Node, new ReadOnlySpan<float>(x, n * Node.InChannels * h * w));
            _inner.Execute(x, n, h, w, y, oh, ow);
        }
    }
}
