using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Lfm2Vl.Engine.Tests.Support;
using static Lfm2Vl.Engine.Tests.Support.ValueDomain;

namespace Lfm2Vl.Engine.Tests.Gradients;

/// <summary>Binary arithmetic with broadcasting, and the tensor-with-scalar forms.</summary>
public static class ArithmeticOps
{
    private static readonly Gen<double> Scalar = Gen.Choose(-20, 20).Select(i => i / 8.0);

    public static Gen<OpSample> Add => Samples.Binary("add", Uniform(), Uniform(), (a, b) => a + b);
    public static Gen<OpSample> Sub => Samples.Binary("sub", Uniform(), Uniform(), (a, b) => a - b);
    public static Gen<OpSample> Mul => Samples.Binary("mul", Uniform(), Uniform(), (a, b) => a * b);
    public static Gen<OpSample> Div => Samples.Binary("div", Uniform(), AwayFromZero(0.5, 2), (a, b) => a / b);
    public static Gen<OpSample> PowTensor => Samples.Binary("pow(tensor)", Positive(), Uniform(), Tensor.Pow);
    public static Gen<OpSample> Maximum => Samples.Binary("maximum", Grid(0), Grid(0.5), Tensor.Maximum);
    public static Gen<OpSample> Minimum => Samples.Binary("minimum", Grid(0.5), Grid(0), Tensor.Minimum);

    /// <summary>The same tensor as both operands: both contributions must reach it.</summary>
    public static Gen<OpSample> MulSelf => Samples.Unary("x*x", Uniform(), x => x * x);

    public static Gen<OpSample> AddScalar => Samples.Unary("x+c", Uniform(), Scalar, (x, c) => x + c);
    public static Gen<OpSample> ScalarMinus => Samples.Unary("c-x", Uniform(), Scalar, (x, c) => c - x);
    public static Gen<OpSample> MulScalar => Samples.Unary("x*c", Uniform(), Scalar, (x, c) => x * c);
    public static Gen<OpSample> ScalarOver => Samples.Unary("c/x", AwayFromZero(0.5, 2), Scalar, (x, c) => c / x);

    public static IReadOnlyList<OpGen> All =>
    [
        new("add", Add), new("sub", Sub), new("mul", Mul), new("div", Div), new("pow(tensor)", PowTensor),
        new("maximum", Maximum), new("minimum", Minimum), new("x*x", MulSelf),
        new("x+c", AddScalar), new("c-x", ScalarMinus), new("x*c", MulScalar), new("c/x", ScalarOver),
    ];
}

public class ArithmeticGradientTests
{
    private const int N = 40;

    [Property(MaxTest = N)] public Property Add() => OpProperties.Gradient(ArithmeticOps.Add);
    [Property(MaxTest = N)] public Property Sub() => OpProperties.Gradient(ArithmeticOps.Sub);
    [Property(MaxTest = N)] public Property Mul() => OpProperties.Gradient(ArithmeticOps.Mul);
    [Property(MaxTest = N)] public Property Div() => OpProperties.Gradient(ArithmeticOps.Div);
    [Property(MaxTest = N)] public Property PowTensorExponent() => OpProperties.Gradient(ArithmeticOps.PowTensor);
    [Property(MaxTest = N)] public Property Maximum() => OpProperties.Gradient(ArithmeticOps.Maximum);
    [Property(MaxTest = N)] public Property Minimum() => OpProperties.Gradient(ArithmeticOps.Minimum);
    [Property(MaxTest = N)] public Property MulSelf() => OpProperties.Gradient(ArithmeticOps.MulSelf);
    [Property(MaxTest = N)] public Property AddScalar() => OpProperties.Gradient(ArithmeticOps.AddScalar);
    [Property(MaxTest = N)] public Property ScalarMinus() => OpProperties.Gradient(ArithmeticOps.ScalarMinus);
    [Property(MaxTest = N)] public Property MulScalar() => OpProperties.Gradient(ArithmeticOps.MulScalar);
    [Property(MaxTest = N)] public Property ScalarOver() => OpProperties.Gradient(ArithmeticOps.ScalarOver);
}
