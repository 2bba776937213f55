using System.Collections.Concurrent;
using Lfm2Vl.Deploy.Graph;
using Lfm2Vl.Deploy.Kernels;
using Lfm2Vl.Engine;
using Lfm2Vl.Deploy.Inference;
using Lfm2Vl.Vision.Models;

namespace Lfm2Vl.Deploy.Vit;

/// <summary>
/// The compiled float32 ViT: no autograd and no engine tensors inside. Activations are token-major, [tokens,
/// features], so every linear layer is one <see cref="RowGemm"/> reading the activations in place against weights
/// packed once, with the bias, the GELU and the residual adds fused into its store; LayerNorm and the softmax run
/// on contiguous rows; attention per head is S = Q K^T (the 1/sqrt(dh) scale folded into the query weights) with
/// K^T packed, a row softmax, then O = P V with V read in place.
/// A batch of several images splits the images across the cores. A single image splits its tokens: each worker
/// owns a band of rows through every step, and the only synchronisation is one barrier per block (attention needs
/// every token's K and V; each worker packs K^T for its own keys), with Q/K/V and K^T double-buffered so a worker may
/// start the next block early.
/// </summary>
public sealed unsafe class VitInferenceModel : IInferenceModel
{
    private readonly VitWeights _w;
    private readonly ConcurrentBag<Activations> _activations = new();
    private readonly ConcurrentBag<WorkerScratch> _scratch = new();

    public VitInferenceModel(Lfm2VlModel model)
    {
        _w = VitWeights.From(model);
        Name = model.Config.Name;
        InputSize = model.Config.InputSize;
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
        fixed (float* px = pixels) fixed (float* py = logits)
        {
            nint xp = (nint)px, yp = (nint)py;
            if (n == 1) PredictOne(px, py, null);
            else
            {
                int workers = Math.Max(1, Math.Min(n, Environment.ProcessorCount)), next = -1;
                ForkJoin(workers, wk =>
                {
                    var a = RentActivations();
                    var s = RentScratch();
                    // Images handed out one at a time: on a shared machine one core may be slowed, and a fixed half of
                    // the batch per core would wait for it.
                    for (int i = Interlocked.Increment(ref next); i < n; i = Interlocked.Increment(ref next))
                        Forward((float*)xp + (long)i * per, a, s, 0, _w.Tokens, null, (float*)yp + (long)i * classes, null);
                    _scratch.Add(s);
                    _activations.Add(a);
                });
            }
        }
        return Tensor.FromArray(logits, n, classes).Persist();
    }

    /// <summary>Milliseconds per stage (summed over the blocks) on the first worker for one prediction of <paramref name="image"/>
    /// [1, 3, S, S], its tokens split across the cores as in <see cref="Predict"/> at batch 1 (Sync: waiting at the barriers).</summary>
    public IReadOnlyList<(VitStage Stage, double Ms)> Profile(Tensor image)
    {
        if (image.Rank != 4 || image.Size(0) != 1) throw new ArgumentException("Profile takes one image [1, 3, S, S].");
        float[] pixels;
        using (GradMode.NoGrad()) pixels = image.ToFloatArray();
        var logits = new float[NumClasses];
        var times = new VitStageTimes();
        fixed (float* px = pixels) fixed (float* py = logits) PredictOne(px, py, times);
        return times.ToList();
    }

    /// <summary>One image, its token rows split across the cores (bands of whole 8-row tiles).</summary>
    private void PredictOne(float* image, float* logits, VitStageTimes? times)
    {
        int t = _w.Tokens, tiles = (t + RowGemm.MR - 1) / RowGemm.MR;
        int workers = Math.Max(1, Math.Min(Environment.ProcessorCount, tiles));
        var a = RentActivations();
        if (workers == 1)
        {
            var s = RentScratch();
            Forward(image, a, s, 0, t, null, logits, times);
            _scratch.Add(s);
        }
        else
        {
            var barrier = new SpinBarrier(workers);
            nint xp = (nint)image, yp = (nint)logits;
            ForkJoin(workers, wk =>
            {
                var s = RentScratch();
                int r0 = Math.Min(t, tiles * wk / workers * RowGemm.MR), r1 = Math.Min(t, tiles * (wk + 1) / workers * RowGemm.MR);
                Forward((float*)xp, a, s, r0, r1, barrier, wk == 0 ? (float*)yp : null, wk == 0 ? times : null);
                _scratch.Add(s);
            });
        }
        _activations.Add(a);
    }

    /// <summary>The fork/join of this class. Not <see cref="Inference.WorkerPool"/>: the batch-1 workers meet at a barrier, so
    /// they must all run at once, and WorkerPool may run every index on the caller (nested or concurrent calls);
    /// Parallel.For's replicas always get a thread-pool thread in the end.</summary>
    private static void ForkJoin(int workers, Action<int> body) =>
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, body);

    private Activations RentActivations() => _activations.TryTake(out var a) ? a : new Activations(_w);
    private WorkerScratch RentScratch() => _scratch.TryTake(out var s) ? s : new WorkerScratch(_w);

    /// <summary>
    /// Token rows [r0, r1) of one image [3, S, S] through the network; with a <paramref name="barrier"/> the other rows
    /// belong to other workers sharing <paramref name="act"/>. The worker owning row 0 (the class token) writes the logits.
    /// </summary>
    private void Forward(float* image, Activations act, WorkerScratch ws, int r0, int r1, SpinBarrier? barrier, float* logits, VitStageTimes? times)
    {
        var w = _w;
        int d = w.Dim, t = w.Tokens, rows = r1 - r0, sense = 0, ldS = ws.ScoreStride;
        times?.Restart();
        fixed (float* x0 = act.X) fixed (float* h0 = act.H) fixed (float* att0 = act.Attention) fixed (float* mlp0 = act.Mlp)
        fixed (float* qkvA = act.Qkv0) fixed (float* qkvB = act.Qkv1)
        fixed (float* patches = ws.Patches) fixed (float* ktA = act.KeysT0) fixed (float* ktB = act.KeysT1) fixed (float* vp = ws.Values) fixed (float* scores = ws.Scores) fixed (float* pos = w.Position)
        {
            float* x = x0 + (long)r0 * d, h = h0 + (long)r0 * d, att = att0 + (long)r0 * d;
            PatchEmbed(image, r0, r1, patches, x0, pos);
            times?.Mark(VitStage.PatchEmbed);

            for (int bi = 0; bi < w.Blocks.Count; bi++)
            {
                var b = w.Blocks[bi];
                int heads = b.Heads, dh = d / heads, mlpOut = b.Fc1.Out;
                float* qkv = bi % 2 == 0 ? qkvA : qkvB; // double-buffered: a worker may write block bi+1's while another reads bi's
                float* mlp = mlp0 + (long)r0 * mlpOut;
                Norm(x, d, rows, b.Norm1, h);
                times?.Mark(VitStage.LayerNorm);
                Linear(b.Qkv, h, rows, qkv + (long)r0 * 3 * d, RowGemm.Epilogue.None, accumulate: false);
                times?.Mark(VitStage.Qkv);
                // Every head's K^T for this worker's keys, into the block's shared (double-buffered) panels.
                float* keysT = bi % 2 == 0 ? ktA : ktB;
                for (int head = 0; head < heads; head++)
                    RowGemm.PackTransposed(qkv + d + head * dh, t, dh, 3 * d, keysT + (long)head * ldS * dh, r0, r1);
                times?.Mark(VitStage.Scores);
                barrier?.SignalAndWait(ref sense);
                times?.Mark(VitStage.Sync);
                for (int head = 0; head < heads; head++)
                {
                    float* q = qkv + (long)r0 * 3 * d + head * dh, v = qkv + 2 * d + head * dh;
                    // S [my queries, keys] = Q K^T (Q pre-scaled), then a softmax along each row.
                    RowGemm.Run(rows, ldS, dh, q, 3 * d, keysT + (long)head * ldS * dh, RowGemm.NR, (long)dh * RowGemm.NR, scores, ldS, null,
                        RowGemm.Epilogue.None, false);
                    times?.Mark(VitStage.Scores);
                    TokenKernels.SoftmaxRows(scores, rows, t, ldS);
                    times?.Mark(VitStage.Softmax);
                    // O = P V, V read in place (whole 32-column panels; else packed), into this head's columns of the output.
                    if (dh % RowGemm.NR == 0)
                        RowGemm.Run(rows, dh, t, scores, ldS, v, 3 * d, RowGemm.NR, att + head * dh, d, null, RowGemm.Epilogue.None, false);
                    else
                    {
                        PackedSgemm.PackB(v, t, dh, 3 * d, vp);
                        RowGemm.Run(rows, dh, t, scores, ldS, vp, RowGemm.NR, (long)t * RowGemm.NR, att + head * dh, d, null, RowGemm.Epilogue.None, false);
                    }
                    times?.Mark(VitStage.Context);
                }
                Linear(b.Proj, att, rows, x, RowGemm.Epilogue.None, accumulate: true);
                times?.Mark(VitStage.Proj);
                Norm(x, d, rows, b.Norm2, h);
                times?.Mark(VitStage.LayerNorm);
                Linear(b.Fc1, h, rows, mlp, RowGemm.Epilogue.Gelu, accumulate: false);
                times?.Mark(VitStage.Fc1);
                Linear(b.Fc2, mlp, rows, x, RowGemm.Epilogue.None, accumulate: true);
                times?.Mark(VitStage.Fc2);
            }
            if (r0 == 0 && logits != null) Head(x0, act, logits);
            times?.Mark(VitStage.Head);
        }
    }

    /// <summary>Rows [r0, r1) of the token matrix: row 0 the class token, row 1 + i patch i's embedding; plus the positions.</summary>
    private void PatchEmbed(float* image, int r0, int r1, float* patches, float* x, float* pos)
    {
        var w = _w;
        int d = w.Dim, p = w.Patch, grid = w.Grid, s = InputSize, kIn = w.PatchEmbed.In;
        int first = Math.Max(r0, 1);
        // Each patch unfolded as one row in the weight's (channel, ky, kx) order.
        for (int r = first; r < r1; r++)
        {
            int py = (r - 1) / grid, px = (r - 1) % grid;
            float* dst = patches + (long)(r - first) * kIn;
            for (int ch = 0; ch < 3; ch++)
                for (int ky = 0; ky < p; ky++)
                    new ReadOnlySpan<float>(image + ((long)ch * s + py * p + ky) * s + px * p, p).CopyTo(new Span<float>(dst + (ch * p + ky) * p, p));
        }
        if (r1 > first)
            fixed (float* pw = w.PatchEmbed.Weight) fixed (float* pb = w.PatchEmbed.Bias)
                RowGemm.Run(r1 - first, d, kIn, patches, kIn, pw, RowGemm.NR, w.PatchEmbed.PanelStride, x + (long)first * d, d, pb, RowGemm.Epilogue.None, false);
        if (r0 == 0) w.ClassToken.AsSpan(0, d).CopyTo(new Span<float>(x, d));
        var rowsSpan = new Span<float>(x + (long)r0 * d, (r1 - r0) * d);
        System.Numerics.Tensors.TensorPrimitives.Add(rowsSpan, new ReadOnlySpan<float>(pos + (long)r0 * d, (r1 - r0) * d), rowsSpan);
    }

    /// <summary>The class token's final LayerNorm, the neck and the classifier.</summary>
    private void Head(float* x, Activations act, float* logits)
    {
        var w = _w;
        fixed (float* pooled = act.Pooled) fixed (float* feat = act.Features)
        fixed (float* nw = w.NeckWeight) fixed (float* nb = w.NeckBias) fixed (float* cw = w.ClassifierWeight) fixed (float* cb = w.ClassifierBias)
        {
            Norm(x, w.Dim, 1, w.Norm, pooled);
            DenseKernels.Linear(pooled, 1, w.Dim, nw, nb, w.FeatureDim, Activation.Gelu, feat);
            DenseKernels.Linear(feat, 1, w.FeatureDim, cw, cb, w.NumClasses, Activation.None, logits);
        }
    }

    private static void Norm(float* x, int d, int rows, NormWeights n, float* y)
    {
        fixed (float* gamma = n.Gamma) fixed (float* beta = n.Beta)
            TokenKernels.LayerNormRows(x, d, rows, d, gamma, beta, n.Eps, y);
    }

    /// <summary>y [rows, out] = epilogue(x W^T + b) (or y += x W^T + b) for x [rows, in].</summary>
    private static void Linear(PackedLinear layer, float* x, int rows, float* y, RowGemm.Epilogue epilogue, bool accumulate)
    {
        fixed (float* pw = layer.Weight) fixed (float* pb = layer.Bias)
            RowGemm.Run(rows, layer.Out, layer.In, x, layer.In, pw, RowGemm.NR, layer.PanelStride, y, layer.Out, pb, epilogue, accumulate);
    }

    /// <summary>One image's token-major activations (shared by the workers that split its rows), sized once.</summary>
    private sealed class Activations
    {
        public Activations(VitWeights w)
        {
            int d = w.Dim, t = w.Tokens, mlp = w.Blocks.Count == 0 ? d : w.Blocks.Max(b => b.Fc1.Out);
            X = Alloc(t * d);
            H = Alloc(t * d);
            Qkv0 = Alloc(t * 3 * d);
            Qkv1 = Alloc(t * 3 * d);
            int keyStride = RowGemm.PanelsN(t) * RowGemm.NR;
            KeysT0 = Alloc(keyStride * d);
            KeysT1 = Alloc(keyStride * d);
            Attention = Alloc(t * d);
            Mlp = Alloc(t * mlp);
            Pooled = Alloc(d);
            Features = Alloc(w.FeatureDim);
        }

        public float[] X { get; }
        public float[] H { get; }
        public float[] Qkv0 { get; }
        public float[] Qkv1 { get; }
        /// <summary>Every head's K^T packed as <see cref="RowGemm"/> panels (head h at h * keys rounded to 32 * dh), one per Q/K/V buffer.</summary>
        public float[] KeysT0 { get; }
        public float[] KeysT1 { get; }
        public float[] Attention { get; }
        public float[] Mlp { get; }
        public float[] Pooled { get; }
        public float[] Features { get; }
    }

    /// <summary>One worker's own buffers: unfolded patches, its rows of the scores, one head's packed V where needed.</summary>
    private sealed class WorkerScratch
    {
        public WorkerScratch(VitWeights w)
        {
            int d = w.Dim, t = w.Tokens, maxHeadDim = w.Blocks.Count == 0 ? 1 : w.Blocks.Max(b => d / b.Heads);
            ScoreStride = RowGemm.PanelsN(t) * RowGemm.NR;
            Patches = Alloc(t * w.PatchEmbed.In);
            Scores = Alloc(t * ScoreStride);
            Values = Alloc(t * RowGemm.PanelsN(maxHeadDim) * RowGemm.NR);
        }

        /// <summary>Row stride of the scores: the keys rounded up to whole 32-column panels, so every tile stores in place.</summary>
        public int ScoreStride { get; }
        public float[] Patches { get; }
        public float[] Scores { get; }
        /// <summary>One head's V packed, for head dimensions that are not whole 32-column panels.</summary>
        public float[] Values { get; }
    }

    private static float[] Alloc(int length) => GC.AllocateArray<float>(length, pinned: true);
}
