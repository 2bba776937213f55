using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Lfm2Vl.Engine.Tests.Support;
using static Lfm2Vl.Engine.Tests.Support.ValueDomain;

namespace Lfm2Vl.Engine.Tests.Gradients;

/// <summary>Activation functions (their backward passes are fused binary kernels in the backend).</summary>
public static class ActivationOps
{
    public static Gen<OpSample> Relu => Samples.Unary("relu", AwayFromZero(0.05, 3), x => x.Relu());
    public static Gen<OpSample> LeakyRelu => Samples.Unary("leaky_relu", AwayFromZero(0.05, 3),
        Gen.Elements(0.01, 0.2, 1.5), (x, slope) => x.LeakyRelu(slope));
    public static Gen<OpSample> GeluTanh => Samples.Unary("gelu(tanh)", Uniform(-4, 4), x => x.Gelu(GeluApproximation.Tanh));
    public static Gen<OpSample> GeluErf => Samples.Unary("gelu(erf)", Uniform(-4, 4), x => x.Gelu());
    public static Gen<OpSample> Silu => Samples.Unary("silu", Uniform(-5, 5), x => x.Silu());
    public static Gen<OpSample> Sigmoid => Samples.Unary("sigmoid", Uniform(-5, 5), x => x.Sigmoid());
    public static Gen<OpSample> Tanh => Samples.Unary("tanh", Uniform(-3, 3), x => x.Tanh());

    public static IReadOnlyList<OpGen> All =>
    [
        new("relu", Relu), new("leaky_relu", LeakyRelu), new("gelu(tanh)", GeluTanh), new("gelu(erf)", GeluErf),
        new("silu", Silu), new("sigmoid", Sigmoid), new("tanh", Tanh),
    ];
}

public class ActivationGradientTests
{
    private const int N = 40;

    [Property(MaxTest = N)] public Property Relu() => OpProperties.Gradient(ActivationOps.Relu);
    [Property(MaxTest = N)] public Property LeakyRelu() => OpProperties.Gradient(ActivationOps.LeakyRelu);
    [Property(MaxTest = N)] public Property GeluTanh() => OpProperties.Gradient(ActivationOps.GeluTanh);
    [Property(MaxTest = N)] public Property GeluErf() => OpProperties.Gradient(ActivationOps.GeluErf);
    [Property(MaxTest = N)] public Property Silu() => OpProperties.Gradient(ActivationOps.Silu);
    [Property(MaxTest = N)] public Property Sigmoid() => OpProperties.Gradient(ActivationOps.Sigmoid);
    [Property(MaxTest = N)] public Property Tanh() => OpProperties.Gradient(ActivationOps.Tanh);
}
