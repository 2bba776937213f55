using Lfm2Vl.Engine;
using Lfm2Vl.Nn.Init;
using Lfm2Vl.Nn.Modules;

namespace Lfm2Vl.Nn.Layers;

/// <summary>2-D convolution over NCHW input; weight [out, in/groups, k, k], optional bias [out].</summary>
public sealed class Conv2d : Module<Tensor, Tensor>
{
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int dilation = 1,
        int groups = 1, bool bias = true, Generator? generator = null, DType dtype = DType.Float32)
    {
        if (inChannels <= 0 || outChannels <= 0 || kernelSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(inChannels), "Conv2d needs positive channel counts and kernel size.");
        if (groups <= 0 || inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"Conv2d: {inChannels} in and {outChannels} out channels must both be divisible by groups={groups}.");
        (InChannels, OutChannels, KernelSize, Stride, Padding, Dilation, Groups) = (inChannels, outChannels, kernelSize, stride, padding, dilation, groups);
        Weight = RegisterParameter("weight", new Parameter(Tensor.Empty([outChannels, inChannels / groups, kernelSize, kernelSize], dtype)));
        if (bias) Bias = RegisterParameter("bias", new Parameter(Tensor.Empty([outChannels], dtype)));
        ResetParameters(generator);
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public int KernelSize { get; }
    public int Stride { get; }
    public int Padding { get; }
    public int Dilation { get; }
    public int Groups { get; }
    public Parameter Weight { get; }
    public Parameter? Bias { get; }

    /// <summary>PyTorch's defaults: kaiming_uniform(a = sqrt(5)) weights, U(+-1/sqrt(fan_in)) bias.</summary>
    public void ResetParameters(Generator? generator = null)
    {
        Initializers.KaimingUniform(Weight, a: Math.Sqrt(5), generator: generator);
        if (Bias is not null)
        {
            double bound = 1 / Math.Sqrt(InChannels / Groups * KernelSize * KernelSize);
            Initializers.Uniform(Bias, -bound, bound, generator);
        }
    }

    public override Tensor Forward(Tensor input) =>
        Functional.Conv2d(input, Weight.Data, Bias?.Data, Stride, Padding, Dilation, Groups);

    public override string TypeName =>
        $"Conv2d({InChannels}->{OutChannels}, k={KernelSize}, s={Stride}, p={Padding}{(Dilation > 1 ? $", d={Dilation}" : "")}{(Groups > 1 ? $", g={Groups}" : "")}{(Bias is null ? ", no bias" : "")})";
}
