using Lfm2Vl.Engine;
using Lfm2Vl.Nn.Init;

namespace Lfm2Vl.Nn.Modules;

/// <summary>y = x W^T + b over the last dimension. W is [out, in], b is [out].</summary>
public sealed class Linear : Module<Tensor, Tensor>
{
    public Linear(int inFeatures, int outFeatures, bool bias = true, Generator? generator = null, DType dtype = DType.Float32)
    {
        if (inFeatures <= 0 || outFeatures <= 0)
            throw new ArgumentOutOfRangeException(nameof(inFeatures), $"Linear needs positive sizes, got in={inFeatures}, out={outFeatures}.");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = RegisterParameter("weight", new Parameter(Tensor.Empty([outFeatures, inFeatures], dtype)));
        if (bias) Bias = RegisterParameter("bias", new Parameter(Tensor.Empty([outFeatures], dtype)));
        ResetParameters(generator);
    }

    public int InFeatures { get; }
    public int OutFeatures { get; }
    public Parameter Weight { get; }
    public Parameter? Bias { get; }

    /// <summary>
    /// PyTorch's defaults: W ~ kaiming_uniform(a = sqrt(5)), i.e. U(-1/sqrt(in), 1/sqrt(in)), and
    /// b ~ U(-1/sqrt(in), 1/sqrt(in)).
    /// </summary>
    public void ResetParameters(Generator? generator = null)
    {
        Initializers.KaimingUniform(Weight, a: Math.Sqrt(5), generator: generator);
        if (Bias is not null)
        {
            double bound = 1 / Math.Sqrt(InFeatures);
            Initializers.Uniform(Bias, -bound, bound, generator);
        }
    }

    public override Tensor Forward(Tensor input)
    {
        if (input.Rank == 0 || input.Size(-1) != InFeatures)
            throw new ArgumentException($"Linear({InFeatures} -> {OutFeatures}) got an input of shape {ShapeUtil.Format(input.Shape)}; its last dimension must be {InFeatures}.");
        var y = Tensor.MatMul(input, Weight.Data.T);
        return Bias is null ? y : y + Bias.Data;
    }

    public override string TypeName => $"Linear({InFeatures}->{OutFeatures}{(Bias is null ? ", no bias" : "")})";
}
