using Lfm2Vl.Tests.Shared;
using Xunit;

namespace Lfm2Vl.Engine.Tests.Reference;

/// <summary>
/// Compares a group's expected case list with its fixture folder, so a deleted or never-generated fixture fails
/// a test instead of silently shrinking the suite, and a new fixture cannot go unreplayed.
/// </summary>
public static class FixtureInventory
{
    public static void AssertFolderMatches(string group, IReadOnlyList<string> expected, string generator, string listFile)
    {
        Assert.Equal(expected.Count, expected.Distinct().Count());
        var present = TorchFixture.Names(group).ToHashSet();
        var missing = expected.Where(n => !present.Contains(n)).ToList();
        var unexpected = present.Where(n => !expected.Contains(n)).Order().ToList();
        Assert.True(missing.Count == 0,
            $"Missing {group} fixtures ({missing.Count}): {string.Join(", ", missing)}. Regenerate: /usr/bin/python3 tests/pytorch/{generator}");
        Assert.True(unexpected.Count == 0,
            $"Fixtures no test expects (add them to {listFile}): {string.Join(", ", unexpected)}.");
    }

    public static TheoryData<string> Theory(IEnumerable<string> names)
    {
        var data = new TheoryData<string>();
        foreach (var n in names) data.Add(n);
        return data;
    }
}
