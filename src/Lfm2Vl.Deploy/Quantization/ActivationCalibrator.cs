using Lfm2Vl.Deploy.Graph;
using Lfm2Vl.Deploy.Inference;
using Lfm2Vl.Engine;

namespace Lfm2Vl.Deploy.Quantization;

/// <summary>Runs the float graph on sample images and records the min/max of every convolution's input.</summary>
public static class ActivationCalibrator
{
    public static IReadOnlyDictionary<ConvNode, ActivationRange> Calibrate(InferenceGraph graph, IEnumerable<Tensor> images)
    {
        var ranges = new Dictionary<ConvNode, ActivationRange>();
        var model = new InferenceModel(graph, node => new Recording(node, ranges));
        int batches = 0;
        foreach (var batch in images)
        {
            model.Predict(batch).Dispose();
            batches++;
        }
        if (batches == 0) throw new ArgumentException("Calibration needs at least one batch of images.", nameof(images));
        return ranges;
    }

    /// <summary>A float conv that first notes the range of its input.</summary>
    private sealed unsafe class Recording(ConvNode node, Dictionary<ConvNode, ActivationRange> ranges) : ConvExecutor(node)
    {
        private readonly FloatConvExecutor _inner = new(node);

        public override long WeightBytes => _inner.WeightBytes;

        public override void Execute(float* x, int n, int h, int w, float* y, int oh, int ow)
        {
            var span = new ReadOnlySpan<float>(x, n * Node.InChannels * h * w);
            float min = System.Numerics.Tensors.TensorPrimitives.Min(span), max = System.Numerics.Tensors.TensorPrimitives.Max(span);
            lock (ranges) ranges[Node] = ranges.TryGetValue(Node, out var r) ? r.Union(min, max) : ActivationRange.From(min, max);
            _inner.Execute(x, n, h, w, y, oh, ow);
        }
    }
}
