using System.Buffers;
using Lfm2Vl.Deploy.Graph;
using Lfm2Vl.Deploy.Kernels;

namespace Lfm2Vl.Deploy.Inference;

/// <summary>
/// Float32 convolution with the weights packed once: each image is unfolded straight into packed GEMM panels
/// and multiplied by the 8x32 micro-kernel, with the (folded) bias and the ReLU applied in its epilogue.
/// </summary>
public sealed unsafe class FloatConvExecutor : ConvExecutor
{
    private readonly float[] _packedWeight;
    private readonly float[] _bias;

    public FloatConvExecutor(ConvNode node) : base(node)
    {
        if (node.Activation is not (Activation.None or Activation.Relu))
            throw new NotSupportedException($"Conv epilogues support None and Relu, not {node.Activation}.");
        var packed = PackedSgemm.PackA(node.Weight, node.OutChannels, node.ReductionSize);
        _packedWeight = GC.AllocateUninitializedArray<float>(packed.Length, pinned: true);
        packed.CopyTo(_packedWeight, 0);
        _bias = GC.AllocateUninitializedArray<float>(PackedSgemm.PanelsM(node.OutChannels) * PackedSgemm.MR, pinned: true);
        PackedSgemm.PadBias(node.Bias, node.OutChannels).CopyTo(_bias, 0);
    }

    /// <summary>Unfolded floats from which a single-task unfolding is split across the cores (~50 us of copying).</summary>
    private const long ParallelUnfold = 1 << 17;

    /// <summary>The fork/join of this class (one place, so it can move to another worker pool).</summary>
    private static void ForkJoin(int parts, Action<int> body) =>
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, body);

    public override long WeightBytes => 4L * (Node.Weight.Length + Node.Bias.Length);

    public override void Execute(float* x, int n, int h, int w, float* y, int oh, int ow)
    {
        var node = Node;
        int k = node.ReductionSize, plane = oh * ow;
        int packLen = PackedSgemm.PanelsN(Math.Min(plane, ColumnBlock)) * PackedSgemm.NR * k;
        long work = (long)n * plane * node.OutChannels * k;
        int workers = BlockWorkers(n, plane, work);
        var buffers = new float[workers][];
        for (int i = 0; i < workers; i++) buffers[i] = ArrayPool<float>.Shared.Rent(packLen);
        nint xp = (nint)x, yp = (nint)y;
        try
        {
            ForBlocks(n, plane, work, (img, start, count, worker, innerParallel) =>
            {
                fixed (float* pack = buffers[worker])
                fixed (float* pw = _packedWeight)
                fixed (float* pb = _bias)
                {
                    float* src = (float*)xp + (long)img * node.InChannels * h * w;
                    float* dst = (float*)yp + (long)img * node.OutChannels * plane + start;
                    int cores = innerParallel ? Math.Min(Environment.ProcessorCount, node.InChannels) : 1;
                    if (cores > 1 && (long)k * count >= ParallelUnfold)
                    {
                        // One task for the whole layer (a small late image at batch 1): the GEMM splits its rows across
                        // the cores, so the unfolding in front of it splits its channels too.
                        nint srcp = (nint)src, packp = (nint)pack;
                        ForkJoin(cores, part => Im2ColPacked.Unfold((float*)srcp, node.InChannels, h, w, node.Kernel, node.Stride, node.Padding, oh, ow,
                            (float*)packp, start, count, node.InChannels * part / cores, node.InChannels * (part + 1) / cores));
                    }
                    else Im2ColPacked.Unfold(src, node.InChannels, h, w, node.Kernel, node.Stride, node.Padding, oh, ow, pack, start, count);
                    PackedSgemm.Run(node.OutChannels, count, k, pw, pack, dst, plane, pb, node.Activation == Activation.Relu, innerParallel);
                }
            });
        }
        finally
        {
            foreach (var b in buffers) ArrayPool<float>.Shared.Return(b);
        }
    }
}
