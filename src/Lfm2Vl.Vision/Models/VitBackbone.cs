using Lfm2Vl.Engine;
using Lfm2Vl.Nn.Init;
using Lfm2Vl.Nn.Layers;
using Lfm2Vl.Nn.Modules;

namespace Lfm2Vl.Vision.Models;

/// <summary>Pre-norm transformer block: x + MHA(LN(x)), then x + MLP(LN(x)) with a GELU MLP.</summary>
internal sealed class TransformerBlock : Module<Tensor, Tensor>
{
    public TransformerBlock(int dim, int heads, int mlpDim, Generator gen)
    {
        Norm1 = RegisterModule("norm1", new LayerNorm(dim, 1e-6));
        Attn = RegisterModule("attn", new MultiHeadAttention(dim, heads, generator: gen));
        Norm2 = RegisterModule("norm2", new LayerNorm(dim, 1e-6));
        Fc1 = RegisterModule("fc1", new Linear(dim, mlpDim, generator: gen));
        Fc2 = RegisterModule("fc2", new Linear(mlpDim, dim, generator: gen));
        foreach (var lin in new[] { Attn.Qkv, Attn.Proj, Fc1, Fc2 })
        {
            Initializers.TruncatedNormal(lin.Weight, std: 0.02, generator: gen);
            if (lin.Bias is not null) Initializers.Zeros(lin.Bias);
        }
    }

    public LayerNorm Norm1 { get; }
    public MultiHeadAttention Attn { get; }
    public LayerNorm Norm2 { get; }
    public Linear Fc1 { get; }
    public Linear Fc2 { get; }

    public override Tensor Forward(Tensor x)
    {
        x = x + Attn.Forward(Norm1.Forward(x));
        return x + Fc2.Forward(Fc1.Forward(Norm2.Forward(x)).Gelu());
    }
}

/// <summary>Holds the class token and position embeddings (a module so they appear in summaries and state dicts).</summary>
internal sealed class TokenEmbedding : Module
{
    public TokenEmbedding(int dim, int grid, Generator gen)
    {
        Grid = grid;
        ClassToken = RegisterParameter("cls_token", new Parameter(Tensor.Zeros([1, 1, dim])));
        Position = RegisterParameter("pos_embed", new Parameter(Tensor.Zeros([1, grid * grid + 1, dim])));
        Initializers.TruncatedNormal(ClassToken, std: 0.02, generator: gen);
        Initializers.TruncatedNormal(Position, std: 0.02, generator: gen);
    }

    public int Grid { get; }
    public Parameter ClassToken { get; }
    public Parameter Position { get; }

    /// <summary>
    /// Position embeddings for a gh x gw patch grid: the learned ones, or bilinearly interpolated from the
    /// trained grid for other image sizes (the class-token embedding is kept as is).
    /// </summary>
    public Tensor PositionFor(int gh, int gw)
    {
        if (gh == Grid && gw == Grid) return Position.Data;
        int dim = Position.Shape[2];
        var cls = Position.Data.Narrow(1, 0, 1);
        var grid = Position.Data.Narrow(1, 1, Grid * Grid).Reshape(1, Grid, Grid, dim).Permute(0, 3, 1, 2);
        var resized = Functional.Interpolate(grid, gh, gw, Functional.InterpolationMode.Bilinear);
        return Tensor.Concat([cls, resized.Permute(0, 2, 3, 1).Reshape(1, gh * gw, dim)], 1);
    }
}

/// <summary>
/// Vision transformer (ViT-Ti/16 layout by default): patch embedding, class token, learned position embeddings
/// (interpolated for other sizes), pre-norm blocks, a final LayerNorm. Pooled output is the class token; the
/// feature map is the patch tokens laid out on their grid.
/// </summary>
public sealed class VitBackbone : Backbone
{
    private readonly List<Module> _stages = new();
    private readonly List<TransformerBlock> _blocks = new();

    public VitBackbone(Generator gen, int imageSize = 224, int patch = 16, int dim = 192, int depth = 12, int heads = 3, int mlpRatio = 4)
    {
        if (imageSize % patch != 0) throw new ArgumentException($"ViT: image size {imageSize} must be a multiple of the patch size {patch}.");
        Patch = patch;
        Dim = dim;
        PatchEmbed = RegisterModule("patch_embed", new Conv2d(3, dim, patch, patch, 0, generator: gen));
        Tokens = RegisterModule("tokens", new TokenEmbedding(dim, imageSize / patch, gen));
        _stages.Add(PatchEmbed);
        _stages.Add(Tokens);
        for (int i = 0; i < depth; i++)
        {
            var block = RegisterModule($"block{i}", new TransformerBlock(dim, heads, dim * mlpRatio, gen));
            _blocks.Add(block);
            _stages.Add(block);
        }
        Norm = RegisterModule("norm", new LayerNorm(dim, 1e-6));
        _stages.Add(Norm);
    }

    public int Patch { get; }
    public int Dim { get; }
    internal Conv2d PatchEmbed { get; }
    internal TokenEmbedding Tokens { get; }
    internal LayerNorm Norm { get; }

    public override int PooledChannels => Dim;
    public override int MapChannels => Dim;
    public override int Stride => Patch;
    public override IReadOnlyList<Module> Stages => _stages;

    public override BackboneOutput Forward(Tensor images)
    {
        CheckInput(images, Patch, "ViT");
        int n = images.Size(0), gh = images.Size(2) / Patch, gw = images.Size(3) / Patch;
        var x = PatchEmbed.Forward(images).Flatten(2).Transpose(1, 2);             // [N, T, D]
        var cls = Tokens.ClassToken.Data.Expand(n, 1, Dim);
        x = Tensor.Concat([cls, x], 1) + Tokens.PositionFor(gh, gw);
        foreach (var block in _blocks) x = block.Forward(x);
        x = Norm.Forward(x);
        var pooled = x.Select(1, 0);                                               // class token
        var map = x.Narrow(1, 1, gh * gw).Transpose(1, 2).Reshape(n, Dim, gh, gw);
        return new BackboneOutput(pooled, map);
    }
}
