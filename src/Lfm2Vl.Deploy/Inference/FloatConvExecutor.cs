using System.Buffers;
using Lfm2Vl.Deploy.Graph;
using System.Runtime.Intrinsics;
using Lfm2Vl.Deploy.Kernels;

namespace Lfm2Vl.Deploy.Inference;

/// <summary>
/// Float32 convolution with the weights packed once, multiplied by the 8x32 micro-kernel with the (folded) bias and
/// the ReLU applied in its epilogue: stride-1 convolutions read shifted windows of the padded input
/// (<see cref="ShiftedWindowConv"/>), others unfold each block of output pixels straight into packed GEMM panels.
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

    /// <summary>The fork/join of this class: the persistent <see cref="WorkerPool"/> (parts must not wait on each other).</summary>
    private static void ForkJoin(int parts, Action<int> body) => WorkerPool.For(parts, body);

    public override long WeightBytes => 4L * (Node.Weight.Length + Node.Bias.Length);

    public override void Execute(float* x, int n, int h, int w, float* y, int oh, int ow)
    {
        if (Shifted ?? PreferShifted(Node, w, oh, ow)) ExecuteShifted(x, n, h, w, y, oh, ow);
        else ExecuteUnfolded(x, n, h, w, y, oh, ow);
    }

    /// <summary>
    /// Shifted windows pay off where unfolding is dear (K of 512 and more) and the wide rows add at most an eighth to the
    /// column panels: the 8x8 layer of the small CNN (80 wide columns: 3 panels instead of 2) and the K = 27 and 288
    /// layers (whose compaction costs as much as their GEMM) measured slower that way.
    /// </summary>
    internal static bool PreferShifted(ConvNode node, int w, int oh, int ow)
    {
        if (node.Stride != 1 || node.Kernel == 1 || !Vector512.IsHardwareAccelerated || node.ReductionSize < 512) return false;
        return 8L * Panels(oh * (w + 2 * node.Padding)) <= 9L * Panels(oh * ow);
    }

    /// <summary>Column panels the GEMMs compute for this many output columns, in blocks of <see cref="ConvExecutor.ColumnBlock"/>.</summary>
    private static int Panels(int columns) => columns / ColumnBlock * PackedSgemm.PanelsN(ColumnBlock) + PackedSgemm.PanelsN(columns % ColumnBlock);

    /// <summary>Benchmark knob: force the shifted-window (true) or the unfolded (false) path; null chooses.</summary>
    internal static bool? Shifted;

    /// <summary>
    /// Stride 1 only: no unfolded matrix (<see cref="ShiftedWindowConv"/>); blocks of wide output columns, each with its window
    /// of padded input rows, its GEMM into a scratch tile (rows split across the cores for a single-block layer) and
    /// the compaction into y.
    /// </summary>
    internal void ExecuteShifted(float* x, int n, int h, int w, float* y, int oh, int ow)
    {
        var node = Node;
        int k = node.ReductionSize, c = node.InChannels, pad = node.Padding, wp = w + 2 * pad, wide = oh * wp, plane = oh * ow;
        int mp = PackedSgemm.PanelsM(node.OutChannels);
        int maxCount = Math.Min(wide, ColumnBlock);
        long windowLen = (long)c * ShiftedWindowConv.MaxWindowRows(maxCount, wp, node.Kernel) * wp;
        int tileLen = mp * PackedSgemm.MR * ShiftedWindowConv.RoundUp(maxCount);
        long work = (long)n * wide * node.OutChannels * k;
        int workers = BlockWorkers(n, wide, work);
        var windows = new float[workers][];
        var tiles = new float[workers][];
        var offsets = new int[workers][];
        for (int i = 0; i < workers; i++)
        {
            windows[i] = ArrayPool<float>.Shared.Rent((int)windowLen);
            tiles[i] = ArrayPool<float>.Shared.Rent(tileLen);
            offsets[i] = ArrayPool<int>.Shared.Rent(k);
        }
        nint xp = (nint)x, yp = (nint)y;
        bool relu = node.Activation == Activation.Relu;
        try
        {
            ForBlocks(n, wide, work, (img, start, count, worker, innerParallel) =>
            {
                fixed (float* window = windows[worker]) fixed (float* tile = tiles[worker]) fixed (int* off = offsets[worker])
                fixed (float* pw = _packedWeight) fixed (float* pb = _bias)
                {
                    float* src = (float*)xp + (long)img * c * h * w;
                    int firstRow = ShiftedWindowConv.FirstRow(start, wp), rows = ShiftedWindowConv.WindowRows(start, count, wp, node.Kernel);
                    int count32 = ShiftedWindowConv.RoundUp(count), qBase = start - firstRow * wp;
                    ShiftedWindowConv.Offsets(c, node.Kernel, rows, wp, off);
                    int cores = innerParallel ? Math.Min(Environment.ProcessorCount, mp) : 1;
                    if (cores > 1)
                    {
                        // One block for the whole layer (a small late image at batch 1): each core builds its share of the
                        // window's channels, then computes its share of the output channels.
                        nint srcp = (nint)src, winp = (nint)window, tilep = (nint)tile, offp = (nint)off, pwp = (nint)pw, pbp = (nint)pb;
                        ForkJoin(cores, part => ShiftedWindowConv.BuildWindow((float*)srcp, h, w, pad, firstRow, rows, (float*)winp, c * part / cores, c * (part + 1) / cores));
                        ForkJoin(cores, part => ShiftedWindowConv.Gemm(node.OutChannels, k, (float*)pwp, (float*)winp, (int*)offp, qBase, count32, (float*)tilep,
                            (float*)pbp, relu, mp * part / cores, mp * (part + 1) / cores));
                    }
                    else
                    {
                        ShiftedWindowConv.BuildWindow(src, h, w, pad, firstRow, rows, window, 0, c);
                        ShiftedWindowConv.Gemm(node.OutChannels, k, pw, window, off, qBase, count32, tile, pb, relu, 0, mp);
                    }
                    ShiftedWindowConv.Compact(tile, count32, node.OutChannels, start, count, wp, ow, (float*)yp + (long)img * node.OutChannels * plane, plane);
                }
            });
        }
        finally
        {
            for (int i = 0; i < workers; i++)
            {
                ArrayPool<float>.Shared.Return(windows[i]);
                ArrayPool<float>.Shared.Return(tiles[i]);
                ArrayPool<int>.Shared.Return(offsets[i]);
            }
        }
    }

    /// <summary>Any stride: each block of output pixels unfolded into packed panels, then the packed GEMM.</summary>
    internal void ExecuteUnfolded(float* x, int n, int h, int w, float* y, int oh, int ow)
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
