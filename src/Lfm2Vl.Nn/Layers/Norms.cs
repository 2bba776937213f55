using Lfm2Vl.Engine;
using Lfm2Vl.Nn.Modules;

namespace Lfm2Vl.Nn.Layers;

/// <summary>Layer normalization over the last dimension (size <c>features</c>), with learned scale and shift.</summary>
public sealed class LayerNorm : Module<Tensor, Tensor>
{
    public LayerNorm(int features, double eps = 1e-5, bool affine = true, DType dtype = DType.Float32)
    {
        (Features, Eps) = (features, eps);
        if (affine)
        {
            Weight = RegisterParameter("weight", new Parameter(Tensor.Ones([features], dtype)));
            Bias = RegisterParameter("bias", new Parameter(Tensor.Zeros([features], dtype)));
        }
    }

    public int Features { get; }
    public double Eps { get; }
    public Parameter? Weight { get; }
    public Parameter? Bias { get; }

    public override Tensor Forward(Tensor input)
    {
        if (input.Rank == 0 || input.Size(-1) != Features)
            throw new ArgumentException($"LayerNorm({Features}) got input of shape {ShapeUtil.Format(input.Shape)}.");
        return Functional.LayerNorm(input, 1, Weight?.Data, Bias?.Data, Eps);
    }

    public override string TypeName => $"LayerNorm({Features})";
}

/// <summary>Group normalization of NCHW input: channels in groups, each normalized over its channels and space.</summary>
public sealed class GroupNorm : Module<Tensor, Tensor>
{
    public GroupNorm(int groups, int channels, double eps = 1e-5, bool affine = true, DType dtype = DType.Float32)
    {
        if (groups <= 0 || channels % groups != 0)
            throw new ArgumentException($"GroupNorm: {channels} channels cannot be split into {groups} groups.");
        (Groups, Channels, Eps) = (groups, channels, eps);
        if (affine)
        {
            Weight = RegisterParameter("weight", new Parameter(Tensor.Ones([channels], dtype)));
            Bias = RegisterParameter("bias", new Parameter(Tensor.Zeros([channels], dtype)));
        }
    }

    public int Groups { get; }
    public int Channels { get; }
    public double Eps { get; }
    public Parameter? Weight { get; }
    public Parameter? Bias { get; }

    public override Tensor Forward(Tensor input) => Functional.GroupNorm(input, Groups, Weight?.Data, Bias?.Data, Eps);

    public override string TypeName => $"GroupNorm({Groups}, {Channels})";
}
