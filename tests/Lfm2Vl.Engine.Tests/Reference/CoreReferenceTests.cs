using Xunit;

namespace Lfm2Vl.Engine.Tests.Reference;

/// <summary>
/// Differential tests against PyTorch: every core-op fixture is replayed in the engine, in float64 and in
/// float32, comparing forward outputs and the gradients of all float inputs for the fixture's upstream gradient.
/// </summary>
public class CoreReferenceTests
{
    [Theory]
    [MemberData(nameof(CoreCases.Names), MemberType = typeof(CoreCases))]
    public void Float64MatchesTorch(string caseName) => Replay(caseName, DType.Float64);

    [Theory]
    [MemberData(nameof(CoreCases.Names), MemberType = typeof(CoreCases))]
    public void Float32MatchesTorch(string caseName) => Replay(caseName, DType.Float32);

    [Fact]
    public void FixtureFolderHoldsExactlyTheExpectedCases() =>
        FixtureInventory.AssertFolderMatches(CoreCases.Group, CoreCases.All, "gen_core_fixtures.py", "CoreCases.All");

    private static void Replay(string caseName, DType dtype) =>
        FixtureReplay.Run(CoreCases.Group, caseName, dtype, CoreOps.ByName, Tolerance.For(dtype), CoreOps.IntegerOutput);
}
