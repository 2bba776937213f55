namespace Lfm2Vl.Nn.Init;

/// <summary>Which fan a Kaiming initializer preserves the variance of: forward activations (fan in) or backward gradients (fan out).</summary>
public enum FanMode
{
    FanIn,
    FanOut,
}

/// <summary>Nonlinearities with a recommended gain (torch.nn.init.calculate_gain).</summary>
public enum Nonlinearity
{
    Linear,
    Identity,
    Conv,
    Sigmoid,
    Tanh,
    Relu,
    LeakyRelu,
    Selu,
}

public static class Fans
{
    /// <summary>
    /// Fan in and fan out of a weight: [out, in, k...] gives (in * prod(k), out * prod(k)), as PyTorch
    /// computes them for Linear ([out, in]) and convolution ([out, in/groups, kh, kw]) weights.
    /// </summary>
    public static (long FanIn, long FanOut) Compute(ReadOnlySpan<int> shape)
    {
        if (shape.Length < 2)
            throw new ArgumentException($"Fan in and fan out need a weight of rank 2 or more, got rank {shape.Length}.");
        long receptive = 1;
        for (int d = 2; d < shape.Length; d++) receptive *= shape[d];
        return (shape[1] * receptive, shape[0] * receptive);
    }

    public static long Of(ReadOnlySpan<int> shape, FanMode mode)
    {
        var (fanIn, fanOut) = Compute(shape);
        return mode == FanMode.FanIn ? fanIn : fanOut;
    }

    /// <summary>
    /// The recommended gain: 1 for linear/identity/conv/sigmoid, 5/3 for tanh, sqrt(2) for ReLU,
    /// sqrt(2 / (1 + slope^2)) for leaky ReLU (slope = <paramref name="param"/>, default 0.01), 3/4 for SELU.
    /// </summary>
    public static double Gain(Nonlinearity nonlinearity, double? param = null) => nonlinearity switch
    {
        Nonlinearity.Linear or Nonlinearity.Identity or Nonlinearity.Conv or Nonlinearity.Sigmoid => 1.0,
        Nonlinearity.Tanh => 5.0 / 3,
        Nonlinearity.Relu => Math.Sqrt(2.0),
        Nonlinearity.LeakyRelu => Math.Sqrt(2.0 / (1 + Math.Pow(param ?? 0.01, 2))),
        Nonlinearity.Selu => 3.0 / 4,
        _ => throw new ArgumentOutOfRangeException(nameof(nonlinearity)),
    };
}
