namespace Lfm2Vl.Engine.Tests.Reference;

/// <summary>An element passes when |actual - expected| &lt;= Abs + Rel * |expected|.</summary>
public sealed record Tolerance(double Abs, double Rel)
{
    /// <summary>
    /// Float64 runs should agree with torch's float64 to rounding: same formulas, a few ulps (~1e-16) per op,
    /// amplified at most ~100x by the small reductions here.
    /// </summary>
    public static readonly Tolerance Float64 = new(1e-10, 1e-10);

    /// <summary>
    /// Float32 runs are compared with the float64 reference. Rounding the inputs to float32 perturbs them by
    /// 6e-8 relative; the ops here have condition numbers of order 10 on these inputs (bases and denominators are
    /// kept away from 0) and reduce at most 24 elements, so the expected error is a few 1e-6 relative. 1e-4
    /// leaves margin yet still catches any wrong formula, which errs by 1e-2 or more. The absolute 1e-5 covers
    /// results near zero (cancelling sums, centred values in var), where relative error means nothing.
    /// </summary>
    public static readonly Tolerance Float32 = new(1e-5, 1e-4);

    public static Tolerance For(DType dtype) => dtype == DType.Float64 ? Float64 : Float32;

    public double Allowed(double expected) => Abs + Rel * Math.Abs(expected);
}
