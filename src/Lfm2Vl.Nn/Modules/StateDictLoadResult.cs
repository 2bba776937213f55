using System.Text;
using Lfm2Vl.Engine;

namespace Lfm2Vl.Nn.Modules;

/// <summary>A name whose stored tensor has another shape than the model's.</summary>
public sealed record ShapeMismatch(string Name, int[] Expected, int[] Actual)
{
    public override string ToString() => $"{Name}: model has {ShapeUtil.Format(Expected)}, state dict has {ShapeUtil.Format(Actual)}";
}

/// <summary>What a state-dict load found: names the model has but the source lacks, the reverse, and shape mismatches.</summary>
public sealed record StateDictLoadResult(IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected, IReadOnlyList<ShapeMismatch> Mismatched)
{
    public bool IsExactMatch => Missing.Count == 0 && Unexpected.Count == 0 && Mismatched.Count == 0;

    /// <summary>A readable report naming every problem.</summary>
    public string Describe()
    {
        if (IsExactMatch) return "All names and shapes match.";
        var sb = new StringBuilder();
        if (Missing.Count > 0) sb.Append($"Missing ({Missing.Count}): {string.Join(", ", Missing)}. ");
        if (Unexpected.Count > 0) sb.Append($"Unexpected ({Unexpected.Count}): {string.Join(", ", Unexpected)}. ");
        if (Mismatched.Count > 0) sb.Append($"Shape mismatch ({Mismatched.Count}): {string.Join("; ", Mismatched)}.");
        return sb.ToString().TrimEnd();
    }
}

/// <summary>Thrown when a state dict does not fit a model; nothing was written.</summary>
public sealed class StateDictMismatchException(StateDictLoadResult result, string model)
    : Exception($"The state dict does not fit {model}: {result.Describe()} Nothing was loaded.")
{
    public StateDictLoadResult Result { get; } = result;
}
