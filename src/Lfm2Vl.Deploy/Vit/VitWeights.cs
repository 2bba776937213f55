using Lfm2Vl.Deploy.Kernels;
using Lfm2Vl.Engine;
using Lfm2Vl.Nn.Layers;
using Lfm2Vl.Vision.Models;

namespace Lfm2Vl.Deploy.Vit;

/// <summary>
/// A linear layer's weights packed once as the B operand of <see cref="RowGemm"/> (W^T in 32-column panels), and its
/// bias (pinned, so kernels take pointers).
/// </summary>
internal sealed class PackedLinear
{
    public PackedLinear(float[] weight, float[] bias, int outFeatures, int inFeatures)
    {
        Out = outFeatures;
        In = inFeatures;
        Weight = RowGemm.PackWeights(weight, outFeatures, inFeatures);
        Bias = Pinned(bias);
    }

    /// <param name="scaledRows">The first this many outputs (rows of the weight and the bias) are multiplied by
    /// <paramref name="scale"/>: the attention's 1/sqrt(head dim) folded into the queries.</param>
    public PackedLinear(Lfm2Vl.Nn.Modules.Linear linear, int scaledRows = 0, float scale = 1f)
        : this(Scaled(linear.Weight.Data.ToFloatArray(), scaledRows * linear.Weight.Shape[1], scale),
            Scaled(linear.Bias?.Data.ToFloatArray() ?? new float[linear.Weight.Shape[0]], scaledRows, scale), linear.Weight.Shape[0], linear.Weight.Shape[1]) { }

    /// <summary>Length of B's packed panels per k step: the panel stride is In * this.</summary>
    public long PanelStride => (long)In * RowGemm.NR;

    private static float[] Scaled(float[] values, int count, float scale)
    {
        for (int i = 0; i < count; i++) values[i] *= scale;
        return values;
    }

    public int Out { get; }
    public int In { get; }
    public float[] Weight { get; }
    public float[] Bias { get; }
    public long Bytes => 4L * Out * (In + 1);

    internal static float[] Pinned(float[] values)
    {
        var copy = GC.AllocateUninitializedArray<float>(values.Length, pinned: true);
        values.CopyTo(copy, 0);
        return copy;
    }
}

/// <summary>LayerNorm's scale, shift and epsilon.</summary>
internal sealed record NormWeights(float[] Gamma, float[] Beta, float Eps)
{
    public static NormWeights From(LayerNorm norm) => new(
        PackedLinear.Pinned(norm.Weight?.Data.ToFloatArray() ?? Enumerable.Repeat(1f, norm.Features).ToArray()),
        PackedLinear.Pinned(norm.Bias?.Data.ToFloatArray() ?? new float[norm.Features]), (float)norm.Eps);
}

/// <summary>One pre-norm block: x += proj(attention(LN1(x))), x += fc2(GELU(fc1(LN2(x)))).</summary>
internal sealed record BlockWeights(NormWeights Norm1, PackedLinear Qkv, PackedLinear Proj, NormWeights Norm2, PackedLinear Fc1, PackedLinear Fc2, int Heads);

/// <summary>Everything the compiled ViT reads, taken from a trained model once.</summary>
internal sealed record VitWeights(int Dim, int Patch, int Grid, PackedLinear PatchEmbed, float[] ClassToken, float[] Position,
    IReadOnlyList<BlockWeights> Blocks, NormWeights Norm, float[] NeckWeight, float[] NeckBias, int FeatureDim,
    float[] ClassifierWeight, float[] ClassifierBias, int NumClasses)
{
    public int Tokens => Grid * Grid + 1;

    public static VitWeights From(Lfm2VlModel model)
    {
        var vit = model.Backbone as VitBackbone ?? throw new NotSupportedException($"{model.Config.Name} is not a ViT.");
        using var noGrad = GradMode.NoGrad();
        int d = vit.Dim, grid = model.Config.InputSize / vit.Patch, tokens = grid * grid + 1;
        var pe = vit.PatchEmbed;
        var patch = new PackedLinear(pe.Weight.Data.ToFloatArray(), pe.Bias!.Data.ToFloatArray(), d, 3 * vit.Patch * vit.Patch);
        // Position embeddings [T, D], token-major like the activations.
        var pos = vit.Tokens.PositionFor(grid, grid).ToFloatArray();
        var blocks = vit.NamedChildren().Select(c => c.Module).OfType<TransformerBlock>()
            .Select(b => new BlockWeights(NormWeights.From(b.Norm1), new PackedLinear(b.Attn.Qkv, d, 1f / MathF.Sqrt(d / b.Attn.Heads)), new PackedLinear(b.Attn.Proj),
                NormWeights.From(b.Norm2), new PackedLinear(b.Fc1), new PackedLinear(b.Fc2), b.Attn.Heads)).ToList();
        var neck = model.Neck.Proj;
        var fc = model.Classifier.Fc;
        return new VitWeights(d, vit.Patch, grid, patch, vit.Tokens.ClassToken.Data.ToFloatArray(), PackedLinear.Pinned(pos), blocks,
            NormWeights.From(vit.Norm), PackedLinear.Pinned(neck.Weight.Data.ToFloatArray()), PackedLinear.Pinned(neck.Bias!.Data.ToFloatArray()),
            model.Config.FeatureDim, PackedLinear.Pinned(fc.Weight.Data.ToFloatArray()), PackedLinear.Pinned(fc.Bias!.Data.ToFloatArray()), model.Config.NumClasses);
    }

    public long Bytes => PatchEmbed.Bytes + 4L * (ClassToken.Length + Position.Length + NeckWeight.Length + NeckBias.Length + ClassifierWeight.Length + ClassifierBias.Length)
        + Blocks.Sum(b => b.Qkv.Bytes + b.Proj.Bytes + b.Fc1.Bytes + b.Fc2.Bytes + 16L * Dim) + 8L * Dim;
}
