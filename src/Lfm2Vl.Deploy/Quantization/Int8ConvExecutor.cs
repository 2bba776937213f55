using System.Buffers;
using System.Runtime.Intrinsics;
using Lfm2Vl.Deploy.Graph;
using Lfm2Vl.Deploy.Inference;
using Lfm2Vl.Deploy.Kernels;

namespace Lfm2Vl.Deploy.Quantization;

/// <summary>
/// A convolution in int8: the input is quantized to uint8 with its calibrated range, unfolded into packed panels,
/// multiplied by the per-channel int8 weights into int32 sums, and turned back into float32 as
/// y = act(sx * sw[o] * (acc - zp * sum(Qw[o])) + b[o]). Float in and out, so pools and residual adds stay float.
/// </summary>
public sealed unsafe class Int8ConvExecutor : ConvExecutor
{
    private readonly sbyte[] _packed;
    private readonly float[] _outScale;     // sx * sw[o]
    private readonly int[] _zeroCorrection; // zp * sum(Qw[o])

    public Int8ConvExecutor(ConvNode node, ActivationRange inputRange, bool useVnni) : base(node)
    {
        if (node.Activation is not (Activation.None or Activation.Relu))
            throw new NotSupportedException($"Conv epilogues support None and Relu, not {node.Activation}.");
        InputRange = inputRange;
        UseVnni = useVnni && Int8Gemm.VnniAvailable;
        Weights = QuantizedWeights.Quantize(node);
        _packed = Int8Gemm.PackA(Weights.Values, node.OutChannels, node.ReductionSize);
        _outScale = Weights.Scales.Select(s => s * inputRange.Scale).ToArray();
        _zeroCorrection = Weights.RowSums.Select(s => s * inputRange.ZeroPoint).ToArray();
    }

    public ActivationRange InputRange { get; }
    public QuantizedWeights Weights { get; }
    public bool UseVnni { get; }

    /// <summary>One byte per weight, plus a float bias and a float scale per output channel.</summary>
    public override long WeightBytes => Weights.Values.Length + 8L * Node.OutChannels;

    public override void Execute(float* x, int n, int h, int w, float* y, int oh, int ow)
    {
        var node = Node;
        int k = node.ReductionSize, plane = oh * ow, inLen = node.InChannels * h * w, block = Math.Min(plane, ColumnBlock);
        int packLen = Int8Gemm.PackedBLength(k, block);
        long work = (long)n * plane * node.OutChannels * k;
        int workers = BlockWorkers(n, plane, work);
        var packs = new byte[workers][];
        var accs = new int[workers][];
        for (int i = 0; i < workers; i++)
        {
            packs[i] = ArrayPool<byte>.Shared.Rent(packLen);
            accs[i] = ArrayPool<int>.Shared.Rent(node.OutChannels * block);
        }
        var quantized = ArrayPool<byte>.Shared.Rent(n * inLen);
        nint xp = (nint)x, yp = (nint)y;
        float invScale = 1f / InputRange.Scale;
        byte zp = (byte)InputRange.ZeroPoint;
        try
        {
            fixed (byte* q = quantized) Int8Im2Col.Quantize(x, (long)n * inLen, invScale, zp, q);
            ForBlocks(n, plane, work, (img, start, count, worker, innerParallel) =>
            {
                fixed (byte* q = quantized) fixed (byte* pack = packs[worker]) fixed (int* acc = accs[worker]) fixed (sbyte* pw = _packed)
                {
                    Int8Im2Col.Unfold(q + (long)img * inLen, node.InChannels, h, w, node.Kernel, node.Stride, node.Padding, oh, ow, zp, pack, start, count);
                    Int8Gemm.Run(node.OutChannels, count, k, pw, pack, acc, count, UseVnni, innerParallel);
                    Dequantize(acc, count, (float*)yp + (long)img * node.OutChannels * plane + start, plane);
                }
            });
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(quantized);
            for (int i = 0; i < workers; i++)
            {
                ArrayPool<byte>.Shared.Return(packs[i]);
                ArrayPool<int>.Shared.Return(accs[i]);
            }
        }
    }

    /// <summary>acc [OC, count] -> y (row stride ldy) as floats with the bias and activation.</summary>
    private void Dequantize(int* acc, int count, float* y, int ldy)
    {
        bool relu = Node.Activation == Activation.Relu;
        for (int o = 0; o < Node.OutChannels; o++)
        {
            float scale = _outScale[o], bias = Node.Bias[o];
            int corr = _zeroCorrection[o];
            int* a = acc + (long)o * count;
            float* dst = y + (long)o * ldy;
            int plane = count;
            int p = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                var vs = Vector512.Create(scale);
                var vb = Vector512.Create(bias);
                var vc = Vector512.Create(corr);
                for (; p + 16 <= plane; p += 16)
                {
                    // Same operations and order as the scalar tail: scale * float(acc - corr) + bias, no FMA.
                    var v = vs * Vector512.ConvertToSingle(Vector512.Load(a + p) - vc) + vb;
                    if (relu) v = Vector512.Max(v, Vector512<float>.Zero);
                    v.Store(dst + p);
                }
            }
            for (; p < plane; p++)
            {
                float v = scale * (a[p] - corr) + bias;
                dst[p] = relu && v < 0 ? 0 : v;
            }
        }
    }
}
