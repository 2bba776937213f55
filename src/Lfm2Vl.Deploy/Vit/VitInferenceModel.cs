using System.Collections.Concurrent;
using Lfm2Vl.Deploy.Graph;
using Lfm2Vl.Deploy.Kernels;
using Lfm2Vl.Engine;
using Lfm2Vl.Deploy.Inference;
using Lfm2Vl.Vision.Models;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Lfm2Vl.Deploy.Vit;

/// <summary>
/// The compiled float32 ViT: no autograd and no engine tensors inside. Activations are kept feature-major,
/// [features, tokens], so every linear layer is one packed GEMM (weights packed once) with the bias in its
/// epilogue and the residual adds fused into the GEMM's store; LayerNorm, GELU and the attention softmax are
/// vectorized column kernels; attention runs per head as S^T = K^T Q, a column softmax, then O^T = V P^T, all
/// through the same GEMM. Scratch buffers are allocated once per worker and reused across calls.
/// </summary>
public sealed unsafe class VitInferenceModel : IInferenceModel
{
    private readonly VitWeights _w;
    private readonly ConcurrentBag<Scratch> _scratch = new();
    private readonly float[] _zeroBias;

    public VitInferenceModel(Lfm2VlModel model)
    {
        _w = VitWeights.From(model);
        Name = model.Config.Name;
        InputSize = model.Config.InputSize;
        int t = _w.Tokens, maxHeadDim = _w.Blocks.Count == 0 ? 1 : _w.Blocks.Max(b => _w.Dim / b.Heads);
        _zeroBias = PackedLinear.Pinned(new float[PackedSgemm.PanelsM(Math.Max(t, maxHeadDim)) * PackedSgemm.MR]);
    }

    public string Name { get; }
    public string Precision => "float32";
    public int InputSize { get; }
    public int NumClasses => _w.NumClasses;
    public long WeightBytes => _w.Bytes;

    /// <summary>images [N, 3, S, S] float32 at the model's input size -> logits [N, classes]; the caller owns the result.</summary>
    public Tensor Predict(Tensor images)
    {
        if (images.Rank != 4 || images.Size(1) != 3 || images.Size(2) != InputSize || images.Size(3) != InputSize || images.DType != DType.Float32)
            throw new ArgumentException($"{Name} expects float32 images [N, 3, {InputSize}, {InputSize}], got {ShapeUtil.Format(images.Shape)} {images.DType.Name()}.");
        int n = images.Size(0), per = 3 * InputSize * InputSize, classes = NumClasses;
        float[] pixels;
        using (GradMode.NoGrad()) pixels = images.ToFloatArray();
        var logits = new float[n * classes];
        int workers = Math.Max(1, Math.Min(n, Environment.ProcessorCount));
        fixed (float* px = pixels) fixed (float* py = logits)
        {
            nint xp = (nint)px, yp = (nint)py;
            if (workers == 1)
            {
                var s = Rent();
                for (int i = 0; i < n; i++) Forward((float*)xp + (long)i * per, s, (float*)yp + (long)i * classes, parallel: true);
                _scratch.Add(s);
            }
            else
            {
                Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, wk =>
                {
                    var s = Rent();
                    for (int i = (int)((long)n * wk / workers); i < (int)((long)n * (wk + 1) / workers); i++)
                        Forward((float*)xp + (long)i * per, s, (float*)yp + (long)i * classes, parallel: false);
                    _scratch.Add(s);
                });
            }
        }
        return Tensor.FromArray(logits, n, classes).Persist();
    }

    private Scratch Rent() => _scratch.TryTake(out var s) ? s : new Scratch(_w);

    /// <summary>One image [3, S, S] -> its logits.</summary>
    private void Forward(float* image, Scratch s, float* logits, bool parallel)
    {
        var w = _w;
        int d = w.Dim, t = w.Tokens, g = w.Grid * w.Grid;
        fixed (float* x = s.X) fixed (float* h = s.H) fixed (float* qkv = s.Qkv) fixed (float* att = s.Attention) fixed (float* mlp = s.Mlp)
        fixed (float* scores = s.Scores) fixed (float* packB = s.PackB) fixed (float* packA = s.PackA) fixed (float* zero = _zeroBias)
        fixed (float* pw = w.PatchEmbed.Weight) fixed (float* pb = w.PatchEmbed.Bias) fixed (float* pos = w.PositionT)
        {
            // Patch embedding: the stride-p conv is a GEMM over the unfolded patches, written to token columns 1..T-1.
            Im2ColPacked.Unfold(image, 3, InputSize, InputSize, w.Patch, w.Patch, 0, w.Grid, w.Grid, packB);
            PackedSgemm.Run(d, g, w.PatchEmbed.In, pw, packB, x + 1, t, pb, false, parallel);
            for (int i = 0; i < d; i++) x[(long)i * t] = w.ClassToken[i];
            TensorPrimitives.Add(new ReadOnlySpan<float>(x, d * t), new ReadOnlySpan<float>(pos, d * t), new Span<float>(x, d * t));

            foreach (var b in w.Blocks)
            {
                int heads = b.Heads, dh = d / heads;
                float scale = 1f / MathF.Sqrt(dh);
                Norm(x, d, t, b.Norm1, h);
                Linear(b.Qkv, h, t, qkv, packB, parallel, accumulate: false);
                for (int head = 0; head < heads; head++)
                {
                    float* q = qkv + (long)head * dh * t, k = qkv + (long)(d + head * dh) * t, v = qkv + (long)(2 * d + head * dh) * t;
                    // S^T [keys, queries] = K^T Q, then a softmax down each query's column.
                    PackedSgemm.PackATransposed(k, t, dh, t, packA);
                    PackedSgemm.PackB(q, dh, t, t, packB);
                    PackedSgemm.Run(t, t, dh, packA, packB, scores, t, zero, false, parallel);
                    TokenKernels.SoftmaxColumns(scores, t, t, t, scale);
                    // O^T [dh, queries] = V P^T, straight into this head's rows of the attention output.
                    PackedSgemm.PackA(v, dh, t, t, packA);
                    PackedSgemm.PackB(scores, t, t, t, packB);
                    PackedSgemm.Run(dh, t, t, packA, packB, att + (long)head * dh * t, t, zero, false, parallel);
                }
                Linear(b.Proj, att, t, x, packB, parallel, accumulate: true);
                Norm(x, d, t, b.Norm2, h);
                Linear(b.Fc1, h, t, mlp, packB, parallel, accumulate: false);
                TokenKernels.GeluInPlace(mlp, (long)b.Fc1.Out * t);
                Linear(b.Fc2, mlp, t, x, packB, parallel, accumulate: true);
            }

            // Only the class token (column 0) feeds the head: the final LayerNorm runs on that column alone.
            float* pooled = h;
            Norm(x, d, 1, w.Norm, pooled, ld: t);
            for (int i = 0; i < d; i++) s.Pooled[i] = pooled[(long)i * t];
            fixed (float* pooledRow = s.Pooled) fixed (float* feat = s.Features)
            fixed (float* nw = w.NeckWeight) fixed (float* nb = w.NeckBias) fixed (float* cw = w.ClassifierWeight) fixed (float* cb = w.ClassifierBias)
            {
                DenseKernels.Linear(pooledRow, 1, d, nw, nb, w.FeatureDim, Activation.Gelu, feat);
                DenseKernels.Linear(feat, 1, w.FeatureDim, cw, cb, w.NumClasses, Activation.None, logits);
            }
        }
    }

    private static void Norm(float* x, int d, int cols, NormWeights n, float* y, int ld = -1)
    {
        fixed (float* gamma = n.Gamma) fixed (float* beta = n.Beta)
            TokenKernels.LayerNormColumns(x, d, cols, ld < 0 ? cols : ld, gamma, beta, n.Eps, y);
    }

    /// <summary>y [out, t] = W x + b (or y += W x + b) for x [in, t].</summary>
    private static void Linear(PackedLinear layer, float* x, int t, float* y, float* packB, bool parallel, bool accumulate)
    {
        PackedSgemm.PackB(x, layer.In, t, t, packB);
        fixed (float* pw = layer.Weight) fixed (float* pb = layer.Bias)
            PackedSgemm.Run(layer.Out, t, layer.In, pw, packB, y, t, pb, false, parallel, accumulate);
    }

    /// <summary>One worker's activations and packing buffers, sized for the model once.</summary>
    private sealed class Scratch
    {
        public Scratch(VitWeights w)
        {
            int d = w.Dim, t = w.Tokens, mlp = w.Blocks.Count == 0 ? d : w.Blocks.Max(b => b.Fc1.Out);
            int maxHeadDim = w.Blocks.Count == 0 ? 1 : w.Blocks.Max(b => d / b.Heads);
            X = Alloc(d * t);
            H = Alloc(d * t);
            Qkv = Alloc(3 * d * t);
            Attention = Alloc(d * t);
            Mlp = Alloc(mlp * t);
            Scores = Alloc(t * t);
            int k = new[] { mlp, d, t, w.PatchEmbed.In }.Max();
            PackB = Alloc(k * PackedSgemm.PanelsN(t) * PackedSgemm.NR);
            PackA = Alloc(Math.Max(PackedSgemm.PanelsM(t) * PackedSgemm.MR * maxHeadDim, PackedSgemm.PanelsM(maxHeadDim) * PackedSgemm.MR * t));
            Pooled = Alloc(d);
            Features = Alloc(w.FeatureDim);
        }

        public float[] X { get; }
        public float[] H { get; }
        public float[] Qkv { get; }
        public float[] Attention { get; }
        public float[] Mlp { get; }
        public float[] Scores { get; }
        public float[] PackB { get; }
        public float[] PackA { get; }
        public float[] Pooled { get; }
        public float[] Features { get; }

        private static float[] Alloc(int length) => GC.AllocateArray<float>(length, pinned: true);
    }
}
