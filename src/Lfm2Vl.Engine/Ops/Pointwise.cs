namespace Lfm2Vl.Engine;

/// <summary>Which GELU formula to use: the exact erf form (BERT, ViT) or the tanh approximation.</summary>
public enum GeluApproximation
{
    None,
    Tanh,
}

// Element-wise math and activations: forward primitive, backward beside it.
public sealed partial class Tensor
{
    public Tensor Exp()
    {
        var y = UnaryForward(UnaryOp.Exp, this);
        return Record(y, "Exp", [this], [y], (g, s) => [g * s[0]]);
    }

    public Tensor Log() => Record(UnaryForward(UnaryOp.Log, this), "Log", [this], [this], (g, s) => [g / s[0]]);

    public Tensor Sqrt()
    {
        var y = UnaryForward(UnaryOp.Sqrt, this);
        // d sqrt(x) = 1 / (2 sqrt(x))
        return Record(y, "Sqrt", [this], [y], (g, s) => [g / s[0].MulScalar(2)]);
    }

    public Tensor Rsqrt()
    {
        var y = UnaryForward(UnaryOp.Rsqrt, this);
        // d x^-1/2 = -1/2 x^-3/2 = -1/2 y^3
        return Record(y, "Rsqrt", [this], [y], (g, s) => [g * s[0].Pow(3).MulScalar(-0.5)]);
    }

    /// <summary>|x|; the gradient at 0 is 0 (sign(0)), as in PyTorch.</summary>
    public Tensor Abs() => Record(UnaryForward(UnaryOp.Abs, this), "Abs", [this], [this], (g, s) => [g * UnaryForward(UnaryOp.Sign, s[0])]);

    public Tensor Sign() => UnaryForward(UnaryOp.Sign, this);

    /// <summary>Clamps into [min, max]; gradient passes where min &lt;= x &lt;= max.</summary>
    public Tensor Clamp(double min = double.NegativeInfinity, double max = double.PositiveInfinity)
    {
        if (min > max) throw new ArgumentException($"Clamp: min ({min}) is greater than max ({max}).");
        return Record(UnaryForward(UnaryOp.Clamp, this, min, max), "Clamp", [this], [this],
            (g, s) => [BinaryForward(BinaryOp.ClampGrad, g, s[0], min, max)]);
    }

    public Tensor Relu() => Record(UnaryForward(UnaryOp.Relu, this), "Relu", [this], [this],
        (g, s) => [BinaryForward(BinaryOp.ReluGrad, g, s[0])]);

    public Tensor LeakyRelu(double negativeSlope = 0.01) => Record(UnaryForward(UnaryOp.LeakyRelu, this, negativeSlope), "LeakyRelu", [this], [this],
        (g, s) => [BinaryForward(BinaryOp.LeakyReluGrad, g, s[0], negativeSlope)]);

    public Tensor Sigmoid()
    {
        var y = UnaryForward(UnaryOp.Sigmoid, this);
        return Record(y, "Sigmoid", [this], [y], (g, s) => [BinaryForward(BinaryOp.SigmoidGrad, g, s[0])]);
    }

    public Tensor Tanh()
    {
        var y = UnaryForward(UnaryOp.Tanh, this);
        return Record(y, "Tanh", [this], [y], (g, s) => [BinaryForward(BinaryOp.TanhGrad, g, s[0])]);
    }

    public Tensor Gelu(GeluApproximation approximate = GeluApproximation.None)
    {
        var (fwd, bwd) = approximate == GeluApproximation.Tanh
            ? (UnaryOp.GeluTanh, BinaryOp.GeluTanhGrad)
            : (UnaryOp.GeluErf, BinaryOp.GeluErfGrad);
        return Record(UnaryForward(fwd, this), "Gelu", [this], [this], (g, s) => [BinaryForward(bwd, g, s[0])]);
    }

    public Tensor Silu() => Record(UnaryForward(UnaryOp.Silu, this), "Silu", [this], [this],
        (g, s) => [BinaryForward(BinaryOp.SiluGrad, g, s[0])]);
}
