using System.Buffers;
using Lfm2Vl.Deploy.Graph;
using Lfm2Vl.Deploy.Inference;
using Lfm2Vl.Engine;

namespace Lfm2Vl.Deploy.Quantization;

/// <summary>
/// Empirical bias correction: int8 weights and clipped activations shift each output channel's mean a little, and
/// through the ReLUs those shifts add up layer after layer. On the calibration images every conv's pre-activation
/// output is computed both in float and in int8 from the same float input; the mean difference per channel is
/// added to the int8 conv's bias.
/// </summary>
public static class BiasCorrection
{
    /// <summary>Per conv, the value to add to each output channel's bias of its int8 version.</summary>
    public static IReadOnlyDictionary<ConvNode, float[]> Measure(InferenceGraph graph, IReadOnlyList<Tensor> batches,
        IReadOnlyDictionary<ConvNode, ActivationRange> ranges, bool useVnni)
    {
        var sums = new Dictionary<ConvNode, (double[] Sum, long Count)>();
        var model = new InferenceModel(graph, node => new Comparing(node, ranges[node], useVnni, sums));
        foreach (var batch in batches) model.Predict(batch).Dispose();
        return sums.ToDictionary(kv => kv.Key, kv => kv.Value.Sum.Select(s => (float)(s / kv.Value.Count)).ToArray());
    }

    /// <summary>The conv with <paramref name="shift"/> added to its bias.</summary>
    public static ConvNode Apply(ConvNode node, float[] shift) => node with { Bias = node.Bias.Select((b, i) => b + shift[i]).ToArray() };

    /// <summary>Runs the float conv for the graph, and beside it the float and int8 convs without activation.</summary>
    private sealed unsafe class Comparing : ConvExecutor
    {
        private readonly FloatConvExecutor _float;
        private readonly FloatConvExecutor _linearFloat;
        private readonly Int8ConvExecutor _linearInt8;
        private readonly Dictionary<ConvNode, (double[] Sum, long Count)> _sums;

        public Comparing(ConvNode node, ActivationRange range, bool useVnni, Dictionary<ConvNode, (double[] Sum, long Count)> sums) : base(node)
        {
            _float = new FloatConvExecutor(node);
            var linear = node with { Activation = Activation.None };
            _linearFloat = new FloatConvExecutor(linear);
            _linearInt8 = new Int8ConvExecutor(linear, range, useVnni);
            _sums = sums;
        }

        public override long WeightBytes => _float.WeightBytes;

        public override void Execute(float* x, int n, int h, int w, float* y, int oh, int ow)
        {
            _float.Execute(x, n, h, w, y, oh, ow);
            int oc = Node.OutChannels, plane = oh * ow, len = n * oc * plane;
            var yf = ArrayPool<float>.Shared.Rent(len);
            var yq = ArrayPool<float>.Shared.Rent(len);
            try
            {
                fixed (float* pf = yf) fixed (float* pq = yq)
                {
                    _linearFloat.Execute(x, n, h, w, pf, oh, ow);
                    _linearInt8.Execute(x, n, h, w, pq, oh, ow);
                }
                var sum = _sums.TryGetValue(Node, out var s) ? s.Sum : new double[oc];
                for (int i = 0; i < n; i++)
                    for (int o = 0; o < oc; o++)
                    {
                        int at = (i * oc + o) * plane;
                        double d = 0;
                        for (int p = 0; p < plane; p++) d += yf[at + p] - yq[at + p];
                        sum[o] += d;
                    }
                _sums[Node] = (sum, (s.Sum is null ? 0 : s.Count) + (long)n * plane);
            }
            finally
            {
                ArrayPool<float>.Shared.Return(yf);
                ArrayPool<float>.Shared.Return(yq);
            }
        }
    }
}
