using Lfm2Vl.Engine;

namespace Lfm2Vl.Nn.Modules;

// Activation functions as parameter-free modules, for Sequential and MLP stacks.

public sealed class ReLU : Module<Tensor, Tensor>
{
    public override Tensor Forward(Tensor input) => input.Relu();
}

public sealed class LeakyReLU(double negativeSlope = 0.01) : Module<Tensor, Tensor>
{
    public double NegativeSlope { get; } = negativeSlope;
    public override Tensor Forward(Tensor input) => input.LeakyRelu(NegativeSlope);
}

public sealed class GELU(GeluApproximation approximate = GeluApproximation.None) : Module<Tensor, Tensor>
{
    public GeluApproximation Approximate { get; } = approximate;
    public override Tensor Forward(Tensor input) => input.Gelu(Approximate);
}

public sealed class SiLU : Module<Tensor, Tensor>
{
    public override Tensor Forward(Tensor input) => input.Silu();
}

public sealed class Tanh : Module<Tensor, Tensor>
{
    public override Tensor Forward(Tensor input) => input.Tanh();
}

public sealed class Sigmoid : Module<Tensor, Tensor>
{
    public override Tensor Forward(Tensor input) => input.Sigmoid();
}
