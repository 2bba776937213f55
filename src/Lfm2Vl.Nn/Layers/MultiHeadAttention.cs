using Lfm2Vl.Engine;
using Lfm2Vl.Nn.Modules;

namespace Lfm2Vl.Nn.Layers;

/// <summary>
/// Multi-head self-attention with one fused QKV projection: [B, L, D] -> [B, L, D]. The attention itself is the
/// engine's fused row-wise kernel, so no L x L matrix is kept for backward.
/// </summary>
public sealed class MultiHeadAttention : Module<Tensor, Tensor>
{
    public MultiHeadAttention(int embedDim, int heads, bool bias = true, double attentionDropout = 0, Generator? generator = null, DType dtype = DType.Float32)
    {
        if (heads <= 0 || embedDim % heads != 0)
            throw new ArgumentException($"MultiHeadAttention: embedding size {embedDim} must be divisible by the number of heads {heads}.");
        (EmbedDim, Heads) = (embedDim, heads);
        Qkv = RegisterModule("qkv", new Linear(embedDim, 3 * embedDim, bias, generator, dtype));
        Proj = RegisterModule("proj", new Linear(embedDim, embedDim, bias, generator, dtype));
        if (attentionDropout > 0) throw new NotSupportedException("Attention-probability dropout is not supported by the fused kernel; use dropout after the projection.");
    }

    public int EmbedDim { get; }
    public int Heads { get; }
    public int HeadDim => EmbedDim / Heads;
    public Linear Qkv { get; }
    public Linear Proj { get; }

    /// <summary>Self-attention; the optional additive mask broadcasts to [B, heads, L, L].</summary>
    public Tensor Forward(Tensor x, Tensor? mask)
    {
        if (x.Rank != 3 || x.Size(-1) != EmbedDim)
            throw new ArgumentException($"MultiHeadAttention({EmbedDim}) expects [B, L, {EmbedDim}], got {ShapeUtil.Format(x.Shape)}.");
        int b = x.Size(0), l = x.Size(1);
        // [B, L, 3D] -> [3, B, H, L, Dh]
        var qkv = Qkv.Forward(x).Reshape(b, l, 3, Heads, HeadDim).Permute(2, 0, 3, 1, 4);
        var parts = qkv.Split(1, 0);
        var (q, k, v) = (parts[0].Squeeze(0), parts[1].Squeeze(0), parts[2].Squeeze(0));
        var o = Functional.ScaledDotProductAttention(q, k, v, mask);       // [B, H, L, Dh]
        return Proj.Forward(o.Permute(0, 2, 1, 3).Reshape(b, l, EmbedDim));
    }

    public override Tensor Forward(Tensor input) => Forward(input, null);

    public override string TypeName => $"MultiHeadAttention(d={EmbedDim}, heads={Heads})";
}
