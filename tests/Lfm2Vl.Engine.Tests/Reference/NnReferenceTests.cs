using Xunit;

namespace Lfm2Vl.Engine.Tests.Reference;

/// <summary>
/// Differential tests of the layer ops and losses (Nn/Functional.*.cs) against PyTorch: every nn fixture is
/// replayed in the engine in float64 and float32, comparing forward outputs, updated running statistics and the
/// gradients of all differentiable inputs for the fixture's upstream gradient.
/// The tolerances are the core ones (Tolerance.cs). These ops reduce more elements (a conv weight gradient sums up
/// to 72 products, norms divide by a batch standard deviation), yet the worst float32 element measured uses 8% of
/// the float32 allowance (conv_3x3_pad1's input gradient) and the worst float64 element 1.4e-5 of the float64 one,
/// while the wrong formulas this suite exists to catch (a biased running variance, an avg-pool divisor that ignores
/// count_include_pad, cross-entropy's mean over targets instead of weights, an unclamped bilinear source index, the
/// last instead of the first tied max) miss by 1e-3 or more, over ten times the float32 allowance.
/// </summary>
public class NnReferenceTests
{
    [Theory]
    [MemberData(nameof(NnCases.Names), MemberType = typeof(NnCases))]
    public void Float64MatchesTorch(string caseName) => Replay(caseName, DType.Float64);

    [Theory]
    [MemberData(nameof(NnCases.Names), MemberType = typeof(NnCases))]
    public void Float32MatchesTorch(string caseName) => Replay(caseName, DType.Float32);

    [Fact]
    public void FixtureFolderHoldsExactlyTheExpectedCases() =>
        FixtureInventory.AssertFolderMatches(NnCases.Group, NnCases.All, "gen_nn_fixtures.py", "NnCases.All");

    private static void Replay(string caseName, DType dtype) =>
        FixtureReplay.Run(NnCases.Group, caseName, dtype, NnOps.ByName, Tolerance.For(dtype));
}
