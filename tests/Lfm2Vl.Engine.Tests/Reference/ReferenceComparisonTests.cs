using Lfm2Vl.Tests.Shared;
using Xunit;

namespace Lfm2Vl.Engine.Tests.Reference;

/// <summary>The comparison itself: non-finite values must match exactly (|inf - inf| is NaN and once slipped through).</summary>
public class ReferenceComparisonTests
{
    private static string? Compare(double expected, double actual) =>
        ReferenceComparison.Compare("t", new TorchFixture.FixtureTensor([1], "float64", [expected]),
            Tensor.FromDoubles([actual], [1], DType.Float64), Tolerance.Float32);

    [Theory]
    [InlineData(double.NegativeInfinity, double.NegativeInfinity)]
    [InlineData(double.PositiveInfinity, double.PositiveInfinity)]
    [InlineData(double.NaN, double.NaN)]
    [InlineData(1.0, 1.0 + 5e-5)]
    public void EqualOrWithinToleranceAgrees(double expected, double actual) => Assert.Null(Compare(expected, actual));

    [Theory]
    [InlineData(double.NegativeInfinity, -1e30)]
    [InlineData(double.NegativeInfinity, double.PositiveInfinity)]
    [InlineData(1e30, double.PositiveInfinity)]
    [InlineData(double.NaN, 0.0)]
    [InlineData(0.0, double.NaN)]
    [InlineData(1.0, 1.0 + 2e-4)]
    public void NonFiniteMismatchOrBeyondToleranceDisagrees(double expected, double actual) => Assert.NotNull(Compare(expected, actual));
}
