using Lfm2Vl.Deploy.Graph;
using Lfm2Vl.Deploy.Kernels;
using Lfm2Vl.Engine;
using Lfm2Vl.Engine.Backends.Cpu;

namespace Lfm2Vl.Deploy.Inference;

/// <summary>
/// A lowered CNN ready to predict: its convolutions run through prepared executors (float32 packed GEMM or int8),
/// pools and residual adds through plain kernels, and the small linear head as dot products. Execution follows an
/// <see cref="ExecutionPlan"/>: values live in a reused pinned workspace per input shape (memory of dead values is
/// reused, so layers write into cache-warm memory), nodes address them by slot, and no engine tensor or autograd
/// record is made except the returned logits.
/// </summary>
public sealed unsafe class InferenceModel : IInferenceModel
{
    private readonly ExecutionPlan _plan;
    // Per node (null where the node is of another kind).
    private readonly ConvExecutor?[] _convs;
    private readonly (float[] Weight, float[] Bias)?[] _linears;
    private readonly (sbyte[] Weight, float[] Scales, float[] Bias)?[] _int8Linears;
    // Workspaces not in use, most recent last; a few are kept so concurrent callers and alternating shapes reuse them.
    private readonly List<ExecutionPlan.Workspace> _idle = new();
    private const int IdleWorkspaces = 2;

    /// <param name="int8Linears">Store the linear layers' weights as per-row int8 (weight-only quantization).</param>
    public InferenceModel(InferenceGraph graph, Func<ConvNode, ConvExecutor>? convFactory = null, string precision = "float32", bool int8Linears = false)
    {
        Graph = graph;
        Precision = precision;
        _plan = new ExecutionPlan(graph);
        convFactory ??= node => new FloatConvExecutor(node);
        int count = _plan.Nodes.Length;
        _convs = new ConvExecutor?[count];
        _linears = new (float[], float[])?[count];
        _int8Linears = new (sbyte[], float[], float[])?[count];
        for (int i = 0; i < count; i++)
        {
            switch (_plan.Nodes[i])
            {
                case ConvNode c: _convs[i] = convFactory(c); break;
                case LinearNode l when int8Linears:
                    var q = Quantization.QuantizedWeights.Quantize(l);
                    var qw = GC.AllocateUninitializedArray<sbyte>(q.Values.Length, pinned: true);
                    q.Values.CopyTo(qw, 0);
                    _int8Linears[i] = (qw, Pinned(q.Scales), Pinned(l.Bias));
                    break;
                case LinearNode l:
                    _linears[i] = (Pinned(l.Weight), Pinned(l.Bias));
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
    public long WeightBytes => ConvExecutors.Sum(c => c.WeightBytes)
        + _plan.Nodes.Where((_, i) => _linears[i] is not null).Cast<LinearNode>().Sum(l => 4L * (l.Weight.Length + l.Bias.Length))
        + _plan.Nodes.Where((_, i) => _int8Linears[i] is not null).Cast<LinearNode>().Sum(l => l.Weight.Length + 8L * l.OutFeatures);

    public IReadOnlyCollection<ConvExecutor> ConvExecutors => _convs.OfType<ConvExecutor>().ToList();

    /// <summary>images [N, 3, H, W] (float32) -> logits [N, classes]; the caller owns (disposes) the result.</summary>
    public Tensor Predict(Tensor images) => Predict(images, null);

    /// <summary>Milliseconds spent in each node for one prediction (where the time goes).</summary>
    public IReadOnlyList<(GraphNode Node, double Ms)> Profile(Tensor images)
    {
        var times = new List<(GraphNode, double)>(_plan.Nodes.Length);
        Predict(images, times).Dispose();
        return times;
    }

    private Tensor Predict(Tensor images, List<(GraphNode, double)>? times)
    {
        if (images.Rank != 4 || images.Size(1) != 3 || images.DType != DType.Float32)
            throw new ArgumentException($"{Name} expects float32 images [N, 3, H, W], got {ShapeUtil.Format(images.Shape)} {images.DType.Name()}.");
        int n = images.Size(0);
        if (n == 0) return Tensor.Empty([0, NumClasses]).Persist();
        var workspace = Rent(n, images.Size(2), images.Size(3));
        try
        {
            if (images.IsContiguous && images.Storage is CpuStorage)
            {
                fixed (float* x = Data(images)) Run(workspace, x, times);
            }
            else
            {
                using var noGrad = GradMode.NoGrad();
                using var scope = TensorScope.Begin();
                fixed (float* x = Data(images.Contiguous())) Run(workspace, x, times);
            }
            var logits = Tensor.Empty([n, NumClasses]).Persist();
            new ReadOnlySpan<float>(workspace[_plan.OutputSlot], n * NumClasses).CopyTo(Data(logits));
            return logits;
        }
        finally
        {
            Return(workspace);
        }
    }

    private void Run(ExecutionPlan.Workspace ws, float* images, List<(GraphNode, double)>? times)
    {
        var nodes = _plan.Nodes;
        for (int i = 0; i < nodes.Length; i++)
        {
            long start = times is null ? 0 : System.Diagnostics.Stopwatch.GetTimestamp();
            int[] inputs = _plan.Inputs[i];
            float* x = inputs[0] == ExecutionPlan.InputSlot ? images : ws[inputs[0]];
            float* y = ws[_plan.Outputs[i]];
            int[] s = ws.Shapes[inputs[0]], o = ws.Shapes[_plan.Outputs[i]];
            switch (nodes[i])
            {
                case ConvNode:
                    _convs[i]!.Execute(x, s[0], s[2], s[3], y, o[2], o[3]);
                    break;
                case MaxPoolNode p:
                    PoolKernels.MaxPool(x, s[0] * s[1], s[2], s[3], p.Kernel, p.Stride, p.Padding, o[2], o[3], y);
                    break;
                case GlobalAvgPoolNode:
                    PoolKernels.GlobalAvgPool(x, s[0] * s[1], s[2] * s[3], y);
                    break;
                case AddNode a:
                    float* b = inputs[1] == ExecutionPlan.InputSlot ? images : ws[inputs[1]];
                    PoolKernels.Add(x, b, y, Numel(o), a.Activation == Activation.Relu);
                    break;
                case LinearNode l when _int8Linears[i] is { } q:
                    fixed (sbyte* wp = q.Weight) fixed (float* sp = q.Scales) fixed (float* bp = q.Bias)
                        DenseKernels.LinearInt8(x, s[0], l.InFeatures, wp, sp, bp, l.OutFeatures, l.Activation, y);
                    break;
                case LinearNode l:
                    var (weight, bias) = _linears[i]!.Value;
                    fixed (float* wp = weight) fixed (float* bp = bias)
                        DenseKernels.Linear(x, s[0], l.InFeatures, wp, bp, l.OutFeatures, l.Activation, y);
                    break;
                default:
                    throw new NotSupportedException($"No executor for {nodes[i].GetType().Name}.");
            }
            times?.Add((nodes[i], System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalMilliseconds));
        }
    }

    /// <summary>An idle workspace for this shape; else one laid out for it, in the largest idle buffer when that
    /// fits (so a server seeing many batch sizes does not allocate per call).</summary>
    private ExecutionPlan.Workspace Rent(int n, int h, int w)
    {
        ExecutionPlan.Workspace? largest = null;
        lock (_idle)
        {
            for (int i = _idle.Count - 1; i >= 0; i--)
                if (_idle[i].N == n && _idle[i].H == h && _idle[i].W == w)
                {
                    var found = _idle[i];
                    _idle.RemoveAt(i);
                    return found;
                }
            if (_idle.Count > 0)
            {
                largest = _idle.MaxBy(ws => ws.Floats)!;
                _idle.Remove(largest);
            }
        }
        return new ExecutionPlan.Workspace(_plan, n, h, w, largest);
    }

    private void Return(ExecutionPlan.Workspace workspace)
    {
        lock (_idle)
        {
            _idle.Add(workspace);
            if (_idle.Count > IdleWorkspaces) _idle.RemoveAt(0);
        }
    }

    private static long Numel(int[] shape)
    {
        long n = 1;
        foreach (int d in shape) n *= d;
        return n;
    }

    private static float[] Pinned(float[] values)
    {
        var copy = GC.AllocateUninitializedArray<float>(values.Length, pinned: true);
        values.CopyTo(copy, 0);
        return copy;
    }

    /// <summary>The contiguous float32 elements of a contiguous CPU tensor.</summary>
    private static Span<float> Data(Tensor t) => ((CpuStorage)t.Storage).Span<float>().Slice(t.Offset, t.Numel);
}
