using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Lfm2Vl.Engine.Tests.Support;
using static Lfm2Vl.Engine.Tests.Support.ValueDomain;

namespace Lfm2Vl.Engine.Tests.Gradients;

/// <summary>Element-wise math: each op sampled on the domain where it is smooth.</summary>
public static class PointwiseOps
{
    public static Gen<OpSample> Neg => Samples.Unary("neg", Uniform(), x => -x);

    /// <summary>Any real exponent on a positive base.</summary>
    public static Gen<OpSample> PowScalar => Samples.Unary("pow(scalar)", Positive(),
        Gen.Elements(-2.0, -1.5, -0.5, 0.5, 1.5, 2.5, 3.0), (x, p) => x.Pow(p));

    /// <summary>Integer exponents on bases of either sign.</summary>
    public static Gen<OpSample> PowInteger => Samples.Unary("pow(int)", AwayFromZero(0.5, 2),
        Gen.Elements(-2.0, -1.0, 2.0, 3.0), (x, p) => x.Pow(p));

    public static Gen<OpSample> Exp => Samples.Unary("exp", Uniform(), x => x.Exp());
    public static Gen<OpSample> Log => Samples.Unary("log", Positive(0.3, 3), x => x.Log());
    public static Gen<OpSample> Sqrt => Samples.Unary("sqrt", Positive(0.3, 3), x => x.Sqrt());
    public static Gen<OpSample> Rsqrt => Samples.Unary("rsqrt", Positive(0.3, 3), x => x.Rsqrt());
    public static Gen<OpSample> Abs => Samples.Unary("abs", AwayFromZero(), x => x.Abs());
    public static Gen<OpSample> Square => Samples.Unary("square", Uniform(), x => x.Square());
    public static Gen<OpSample> Reciprocal => Samples.Unary("reciprocal", AwayFromZero(0.5, 2), x => x.Reciprocal());

    /// <summary>Clamp with both bounds, only a lower or only an upper one; values keep 0.05 from the bounds.</summary>
    public static Gen<OpSample> Clamp =>
        from lo in Gen.Choose(-12, 4).Select(i => i / 8.0)
        from width in Gen.Choose(1, 12).Select(i => i / 8.0)
        from mode in Gen.Elements("both", "min", "max")
        from shape in Gens.Shape()
        from x in Gens.Input(shape, AvoidPoints([lo, lo + width]))
        select new OpSample("clamp", $"{mode} lo={lo} hi={lo + width}", [x], xs => mode switch
        {
            "min" => xs[0].Clamp(min: lo),
            "max" => xs[0].Clamp(max: lo + width),
            _ => xs[0].Clamp(lo, lo + width),
        });

    public static IReadOnlyList<OpGen> All =>
    [
        new("neg", Neg), new("pow(scalar)", PowScalar), new("pow(int)", PowInteger), new("exp", Exp), new("log", Log),
        new("sqrt", Sqrt), new("rsqrt", Rsqrt), new("abs", Abs), new("square", Square), new("reciprocal", Reciprocal),
        new("clamp", Clamp),
    ];
}

public class PointwiseGradientTests
{
    private const int N = 40;

    [Property(MaxTest = N)] public Property Neg() => OpProperties.Gradient(PointwiseOps.Neg);
    [Property(MaxTest = N)] public Property PowScalarExponent() => OpProperties.Gradient(PointwiseOps.PowScalar);
    [Property(MaxTest = N)] public Property PowIntegerExponent() => OpProperties.Gradient(PointwiseOps.PowInteger);
    [Property(MaxTest = N)] public Property Exp() => OpProperties.Gradient(PointwiseOps.Exp);
    [Property(MaxTest = N)] public Property Log() => OpProperties.Gradient(PointwiseOps.Log);
    [Property(MaxTest = N)] public Property Sqrt() => OpProperties.Gradient(PointwiseOps.Sqrt);
    [Property(MaxTest = N)] public Property Rsqrt() => OpProperties.Gradient(PointwiseOps.Rsqrt);
    [Property(MaxTest = N)] public Property Abs() => OpProperties.Gradient(PointwiseOps.Abs);
    [Property(MaxTest = N)] public Property Square() => OpProperties.Gradient(PointwiseOps.Square);
    [Property(MaxTest = N)] public Property Reciprocal() => OpProperties.Gradient(PointwiseOps.Reciprocal);
    [Property(MaxTest = N)] public Property Clamp() => OpProperties.Gradient(PointwiseOps.Clamp);
}
