using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Lfm2Vl.Deploy.Graph;
using Lfm2Vl.Deploy.Inference;
using Lfm2Vl.Deploy.Kernels;

namespace Lfm2Vl.Deploy.Quantization;

/// <summary>
/// A convolution in int8: the NCHW float input is quantized to uint8 with its calibrated range straight into a padded
/// NHWC buffer, convolved directly (implicit GEMM, <see cref="Int8DirectConv"/>) against the per-channel int8 weights
/// into int32 sums, and turned back into NCHW float32 as y = act(sx * sw[o] * (acc - zp * sum(Qw[o])) + b[o]).
/// Float in and out, so pools and residual adds stay float.
/// </summary>
public sealed unsafe class Int8ConvExecutor : ConvExecutor
{
    private const int MR = Int8DirectConv.MR, OcBlock = Int8DirectConv.OcBlock;
    /// <summary>Micro-tiles whose pixel origins are computed once and reused for every OC block (256 pixels: their
    /// input rows stay in L1 while the weight blocks stream from L2).</summary>
    private const int ChunkTiles = 32;

    private readonly sbyte[] _packed;
    private readonly float[] _outScale;     // sx * sw[o], padded to whole OC blocks
    private readonly int[] _zeroCorrection; // zp * sum(Qw[o])
    private readonly float[] _bias;

    /// <summary>The quantized NHWC input, kept per calling thread so steady-state calls allocate nothing.</summary>
    [ThreadStatic] private static byte[]? t_input;

    public Int8ConvExecutor(ConvNode node, ActivationRange inputRange, bool useVnni) : base(node)
    {
        if (node.Activation is not (Activation.None or Activation.Relu))
            throw new NotSupportedException($"Conv epilogues support None and Relu, not {node.Activation}.");
        InputRange = inputRange;
        UseVnni = useVnni && Int8DirectConv.VnniAvailable;
        Weights = QuantizedWeights.Quantize(node);
        _packed = Int8DirectConv.PackWeights(Weights.Values, node.OutChannels, node.InChannels, node.Kernel);
        int padded = Int8DirectConv.OcBlocks(node.OutChannels) * OcBlock;
        _outScale = GC.AllocateArray<float>(padded, pinned: true);
        _zeroCorrection = GC.AllocateArray<int>(padded, pinned: true);
        _bias = GC.AllocateArray<float>(padded, pinned: true);
        for (int o = 0; o < node.OutChannels; o++)
        {
            _outScale[o] = Weights.Scales[o] * inputRange.Scale;
            _zeroCorrection[o] = Weights.RowSums[o] * inputRange.ZeroPoint;
            _bias[o] = node.Bias[o];
        }
    }

    public ActivationRange InputRange { get; }
    public QuantizedWeights Weights { get; }
    public bool UseVnni { get; }

    /// <summary>One byte per weight, plus a float bias and a float scale per output channel.</summary>
    public override long WeightBytes => Weights.Values.Length + 8L * Node.OutChannels;

    public override void Execute(float* x, int n, int h, int w, float* y, int oh, int ow)
    {
        var node = Node;
        int c = node.InChannels, pad = node.Padding, k = node.Kernel, plane = oh * ow, oc = node.OutChannels;
        // A strided 1x1 convolution reads every s-th pixel only: quantize just those, then convolve at stride 1.
        bool sampled = k == 1 && pad == 0 && node.Stride > 1;
        int s = sampled ? 1 : node.Stride, qh = sampled ? oh : h, qw = sampled ? ow : w;
        long inLen = (long)c * h * w, outLen = (long)oc * plane, imageBytes = Int8NhwcInput.ImageBytes(c, qh, qw, pad);
        int tiles = (plane + MR - 1) / MR, blocks = Int8DirectConv.OcBlocks(oc);
        // Split from BlockSplitWork (2 M multiply-adds): on WorkerPool a fork costs microseconds, and the small CNN's
        // 3.5 M stem conv at batch 1 went 97 -> 83 us (end to end 0.55 -> 0.48 ms).
        int workers = (long)n * plane * oc * node.ReductionSize >= BlockSplitWork && Environment.ProcessorCount > 1 ? Environment.ProcessorCount : 1;
        long bufferBytes = n * imageBytes + Int8NhwcInput.Slack;
        var buffer = t_input is { } b && b.Length >= bufferBytes ? b : GC.AllocateUninitializedArray<byte>(checked((int)bufferBytes), pinned: true);
        t_input = null;
        float invScale = 1f / InputRange.Scale;
        int zp = InputRange.ZeroPoint;
        try
        {
            fixed (byte* qp = buffer)
            {
                nint q = (nint)qp, xp = (nint)x, yp = (nint)y;
                void Quantize(int img, int r0, int r1) => Int8NhwcInput.Quantize((float*)xp + img * inLen, c, qh, qw, pad, invScale, zp,
                    (byte*)q + img * imageBytes, r0, r1, sampled ? node.Stride : 1, h, w);
                void Convolve(int img, int t0, int t1, int b0, int b1) =>
                    Compute((byte*)q + img * imageBytes, qw + 2 * pad, s, (float*)yp + img * outLen, ow, plane, t0, t1, b0, b1);
                if (workers <= 1 || n >= workers)
                {
                    // Whole images, handed out one at a time: a core that starts late (a busy box) takes fewer.
                    Fork(n, workers > 1, img =>
                    {
                        Quantize(img, 0, qh);
                        Convolve(img, 0, tiles, 0, blocks);
                    });
                    return;
                }
                for (int img = 0; img < n; img++)
                {
                    if (tiles < 4 * workers && blocks >= workers)
                    {
                        // Few pixels: every core needs the whole input, and streams only its share of the weights.
                        Quantize(img, 0, qh);
                        int groups = Math.Min(blocks, 2 * workers);
                        Fork(groups, true, g => Convolve(img, 0, tiles, blocks * g / groups, blocks * (g + 1) / groups));
                        continue;
                    }
                    // Bands of output pixels, two per core so that a core that starts late takes fewer. Each band
                    // quantizes the input rows it reads, then convolves them; neighbouring bands share k - 1 rows,
                    // which both write with the same bytes (same input, same formula).
                    int bands = Math.Max(1, Math.Min(2 * workers, tiles / 2));
                    Fork(bands, true, band =>
                    {
                        int t0 = tiles * band / bands, t1 = tiles * (band + 1) / bands;
                        int oy0 = t0 * MR / ow, oy1 = (Math.Min(t1 * MR, plane) - 1) / ow;
                        Quantize(img, Math.Max(0, oy0 * s - pad), Math.Min(qh, oy1 * s - pad + k));
                        Convolve(img, t0, t1, 0, blocks);
                    });
                }
            }
        }
        finally
        {
            t_input = buffer;
        }
    }

    /// <summary>All fork/join of this executor goes through here: body(i) for every i in [0, count), spread over the
    /// cores (the calling thread included) when <paramref name="parallel"/>, then join; otherwise in order on the
    /// calling thread.</summary>
    private static void Fork(int count, bool parallel, Action<int> body)
    {
        if (!parallel || count <= 1)
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        WorkerPool.For(count, body);
    }

    /// <summary>Micro-tiles [t0, t1) x OC blocks [b0, b1) of one image: q its padded NHWC input (wp pixels a row),
    /// read at stride s; y its NCHW output.</summary>
    // Hot whatever the host's tiering settings: fully optimized from the first call, helpers inlined; the stack
    // tiles need no zeroing.
    [MethodImpl(MethodImplOptions.AggressiveOptimization), SkipLocalsInit]
    private void Compute(byte* q, int wp, int s, float* y, int ow, int plane, int t0, int t1, int b0, int b1)
    {
        const int chunkPixels = ChunkTiles * MR;
        var node = Node;
        int k = node.Kernel, cs = Int8NhwcInput.PixelBytes(node.InChannels);
        int rowQuads = Int8DirectConv.RowQuads(node.InChannels, k), blockBytes = Int8DirectConv.BlockBytes(node.InChannels, k);
        nint rowStride = (nint)wp * cs;
        int* origins = stackalloc int[chunkPixels];
        int* acc = stackalloc int[MR * OcBlock];
        // The chunk's outputs of one OC block, [lane][pixel]: written a tile at a time, copied out as whole rows
        // (storing straight into 16 NCHW planes thrashes L1 when the plane is a multiple of 4 KiB).
        float* tile = stackalloc float[OcBlock * chunkPixels];
        fixed (sbyte* packed = _packed)
        {
            for (int chunk = t0; chunk < t1; chunk += ChunkTiles)
            {
                int chunkEnd = Math.Min(t1, chunk + ChunkTiles), first = chunk * MR, count = Math.Min(chunkEnd * MR, plane) - first;
                for (int i = 0; i < (chunkEnd - chunk) * MR; i++)
                {
                    // Pixels past the end repeat the last pixel; their sums are not stored.
                    int p = Math.Min(first + i, plane - 1), oy = p / ow, ox = p - oy * ow;
                    origins[i] = (oy * s * wp + ox * s) * cs;
                }
                for (int blk = b0; blk < b1; blk++)
                {
                    sbyte* wb = packed + (long)blk * blockBytes;
                    for (int t = chunk; t < chunkEnd; t++)
                    {
                        int* o = origins + (t - chunk) * MR;
                        if (UseVnni) Int8DirectConv.KernelVnni(q, o, rowStride, k, rowQuads, wb, acc);
                        else Int8DirectConv.KernelScalar(q, o, rowStride, k, rowQuads, wb, acc);
                        Dequantize(acc, blk, tile + (t - chunk) * MR, chunkPixels);
                    }
                    int o0 = blk * OcBlock, lanes = Math.Min(OcBlock, node.OutChannels - o0);
                    for (int l = 0; l < lanes; l++)
                        new ReadOnlySpan<float>(tile + l * chunkPixels, count).CopyTo(new Span<float>(y + (long)(o0 + l) * plane + first, count));
                }
            }
        }
    }

    /// <summary>acc [pixel][16 lanes] of OC block blk -> tile[lane * ld + pixel] as floats with the bias and activation.</summary>
    // Hot whatever the host's tiering settings: fully optimized from the first call, helpers inlined.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Dequantize(int* acc, int blk, float* tile, int ld)
    {
        bool relu = Node.Activation == Activation.Relu;
        int o0 = blk * OcBlock;
        fixed (float* sc = &_outScale[o0]) fixed (float* bi = &_bias[o0]) fixed (int* co = &_zeroCorrection[o0])
        {
            if (Avx.IsSupported)
            {
                for (int half = 0; half < OcBlock; half += 8)
                {
                    var scale = Vector256.Load(sc + half);
                    var bias = Vector256.Load(bi + half);
                    var corr = Vector256.Load(co + half);
                    int* a = acc + half;
                    // Pixel rows of 8 lanes, transposed to lane rows of 8 pixels.
                    Transpose8x8.Store(
                        Epilogue(a, scale, corr, bias, relu), Epilogue(a + OcBlock, scale, corr, bias, relu),
                        Epilogue(a + 2 * OcBlock, scale, corr, bias, relu), Epilogue(a + 3 * OcBlock, scale, corr, bias, relu),
                        Epilogue(a + 4 * OcBlock, scale, corr, bias, relu), Epilogue(a + 5 * OcBlock, scale, corr, bias, relu),
                        Epilogue(a + 6 * OcBlock, scale, corr, bias, relu), Epilogue(a + 7 * OcBlock, scale, corr, bias, relu),
                        tile + (long)half * ld, ld);
                }
                return;
            }
            for (int m = 0; m < MR; m++)
                for (int l = 0; l < OcBlock; l++)
                {
                    float v = sc[l] * (acc[m * OcBlock + l] - co[l]) + bi[l];
                    tile[l * ld + m] = relu && v < 0 ? 0 : v;
                }
        }
    }

    /// <summary>Same operations and order as the scalar path: scale * float(acc - corr) + bias, no FMA; max(0, v)
    /// returns v for v >= 0 and for NaN, like the scalar test.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Epilogue(int* acc, Vector256<float> scale, Vector256<int> corr, Vector256<float> bias, bool relu)
    {
        var v = scale * Vector256.ConvertToSingle(Vector256.Load(acc) - corr) + bias;
        return relu ? Avx.Max(Vector256<float>.Zero, v) : v;
    }
}
