using Lfm2Vl.Deploy.Graph;
using Lfm2Vl.Deploy.Kernels;
using Lfm2Vl.Engine;
using Lfm2Vl.Engine.Backends.Cpu;

namespace Lfm2Vl.Deploy.Inference;

/// <summary>
/// A lowered CNN ready to predict: its convolutions run through prepared executors (float32 packed GEMM or int8),
/// pools and residual adds through plain kernels, and the small linear head as dot products. Everything runs
/// under <see cref="GradMode.NoGrad"/> inside a <see cref="TensorScope"/>: no graph is recorded and every
/// intermediate goes back to the pool when the call returns.
/// </summary>
public sealed unsafe class InferenceModel : IInferenceModel
{
    private readonly Dictionary<ConvNode, ConvExecutor> _convs = new();
    private readonly Dictionary<LinearNode, (float[] Weight, float[] Bias)> _linears = new();
    private readonly Dictionary<LinearNode, (sbyte[] Weight, float[] Scales, float[] Bias)> _int8Linears = new();

    /// <param name="int8Linears">Store the linear layers' weights as per-row int8 (weight-only quantization).</param>
    public InferenceModel(InferenceGraph graph, Func<ConvNode, ConvExecutor>? convFactory = null, string precision = "float32", bool int8Linears = false)
    {
        Graph = graph;
        Precision = precision;
        convFactory ??= node => new FloatConvExecutor(node);
        foreach (var node in graph.Nodes)
        {
            switch (node)
            {
                case ConvNode c: _convs[c] = convFactory(c); break;
                case LinearNode l when int8Linears:
                    var q = Quantization.QuantizedWeights.Quantize(l);
                    var qw = GC.AllocateUninitializedArray<sbyte>(q.Values.Length, pinned: true);
                    q.Values.CopyTo(qw, 0);
                    _int8Linears[l] = (qw, Pinned(q.Scales), Pinned(l.Bias));
                    break;
                case LinearNode l:
                    _linears[l] = (Pinned(l.Weight), Pinned(l.Bias));
                    break;
            }
        }
    }

    public InferenceGraph Graph { get; }
    public string Precision { get; }
    public string Name => Graph.Name;
    public int InputSize => Graph.InputSize;
    public int NumClasses => Graph.NumClasses;

    /// <summary>Bytes of weights held for inference (int8 weights count one byte each).</summary>
    public long WeightBytes => _convs.Values.Sum(c => c.WeightBytes) + _linears.Keys.Sum(l => 4L * (l.Weight.Length + l.Bias.Length))
        + _int8Linears.Keys.Sum(l => l.Weight.Length + 8L * l.OutFeatures);

    public IReadOnlyCollection<ConvExecutor> ConvExecutors => _convs.Values;

    /// <summary>images [N, 3, H, W] (float32) -> logits [N, classes]; the caller owns (disposes) the result.</summary>
    public Tensor Predict(Tensor images) => Predict(images, null);

    /// <summary>Milliseconds spent in each node for one prediction (where the time goes).</summary>
    public IReadOnlyList<(GraphNode Node, double Ms)> Profile(Tensor images)
    {
        var times = new List<(GraphNode, double)>();
        Predict(images, times).Dispose();
        return times;
    }

    private Tensor Predict(Tensor images, List<(GraphNode, double)>? times)
    {
        if (images.Rank != 4 || images.Size(1) != 3 || images.DType != DType.Float32)
            throw new ArgumentException($"{Name} expects float32 images [N, 3, H, W], got {ShapeUtil.Format(images.Shape)} {images.DType.Name()}.");
        using var noGrad = GradMode.NoGrad();
        using var scope = TensorScope.Begin();
        var values = new Dictionary<string, Tensor> { [Graph.Input] = images.Contiguous() };
        foreach (var node in Graph.Nodes)
        {
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            values[node.Output] = Run(node, values);
            times?.Add((node, System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds));
        }
        return values[Graph.Output].Contiguous().Clone().Persist();
    }

    private Tensor Run(GraphNode node, Dictionary<string, Tensor> values)
    {
        var x = values[node.Inputs[0]];
        switch (node)
        {
            case ConvNode c:
                {
                    int n = x.Size(0), h = x.Size(2), w = x.Size(3), oh = c.OutSize(h), ow = c.OutSize(w);
                    if (x.Size(1) != c.InChannels) throw new ArgumentException($"{c.Output}: expected {c.InChannels} channels, got {x.Size(1)}.");
                    var y = Tensor.Empty([n, c.OutChannels, oh, ow]);
                    fixed (float* xp = Data(x)) fixed (float* yp = Data(y))
                        _convs[c].Execute(xp, n, h, w, yp, oh, ow);
                    return y;
                }
            case MaxPoolNode p:
                {
                    int n = x.Size(0), ch = x.Size(1), h = x.Size(2), w = x.Size(3), oh = p.OutSize(h), ow = p.OutSize(w);
                    var y = Tensor.Empty([n, ch, oh, ow]);
                    fixed (float* xp = Data(x)) fixed (float* yp = Data(y))
                        PoolKernels.MaxPool(xp, n * ch, h, w, p.Kernel, p.Stride, p.Padding, oh, ow, yp);
                    return y;
                }
            case GlobalAvgPoolNode:
                {
                    int n = x.Size(0), ch = x.Size(1);
                    var y = Tensor.Empty([n, ch]);
                    fixed (float* xp = Data(x)) fixed (float* yp = Data(y))
                        PoolKernels.GlobalAvgPool(xp, n * ch, x.Size(2) * x.Size(3), yp);
                    return y;
                }
            case AddNode a:
                {
                    var b = values[a.B];
                    if (!ShapeUtil.SameShape(x.Shape, b.Shape)) throw new ArgumentException($"{a.Output}: shapes differ.");
                    var y = Tensor.Empty(x.Shape);
                    fixed (float* ap = Data(x)) fixed (float* bp = Data(b)) fixed (float* yp = Data(y))
                        PoolKernels.Add(ap, bp, yp, x.Numel, a.Activation == Activation.Relu);
                    return y;
                }
            case LinearNode l:
                {
                    if (x.Rank != 2 || x.Size(1) != l.InFeatures) throw new ArgumentException($"{l.Output}: expected [N, {l.InFeatures}].");
                    var y = Tensor.Empty([x.Size(0), l.OutFeatures]);
                    if (_int8Linears.TryGetValue(l, out var q))
                    {
                        fixed (float* xp = Data(x)) fixed (float* yp = Data(y)) fixed (sbyte* wp = q.Weight) fixed (float* sp = q.Scales) fixed (float* bp = q.Bias)
                            DenseKernels.LinearInt8(xp, x.Size(0), l.InFeatures, wp, sp, bp, l.OutFeatures, l.Activation, yp);
                        return y;
                    }
                    var (weight, bias) = _linears[l];
                    fixed (float* xp = Data(x)) fixed (float* yp = Data(y)) fixed (float* wp = weight) fixed (float* bp = bias)
                        DenseKernels.Linear(xp, x.Size(0), l.InFeatures, wp, bp, l.OutFeatures, l.Activation, yp);
                    return y;
                }
            default:
                throw new NotSupportedException($"No executor for {node.GetType().Name}.");
        }
    }

    private static float[] Pinned(float[] values)
    {
        var copy = GC.AllocateUninitializedArray<float>(values.Length, pinned: true);
        values.CopyTo(copy, 0);
        return copy;
    }

    /// <summary>The contiguous float32 elements of a tensor this class created or made contiguous.</summary>
    private static Span<float> Data(Tensor t) => ((CpuStorage)t.Storage).Span<float>().Slice(t.Offset, t.Numel);
}
