using System.Text.Json;

namespace Lfm2Vl.Engine.Tests.Reference;

/// <summary>Typed access to a fixture's meta.args (the op's arguments as the generator passed them to torch).</summary>
public sealed class FixtureArgs(JsonElement args, string caseName)
{
    private JsonElement Get(string key) => args.TryGetProperty(key, out var v) ? v
        : throw new KeyNotFoundException($"Fixture {caseName}: meta.args has no '{key}'.");

    public bool Has(string key) => args.ValueKind == JsonValueKind.Object && args.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null;
    public int Int(string key) => Get(key).GetInt32();
    public double Double(string key) => Get(key).GetDouble();
    public double DoubleOr(string key, double fallback) => Has(key) ? Double(key) : fallback;
    /// <summary>An optional argument: null when absent or JSON null (torch's None).</summary>
    public int? IntOrNull(string key) => Has(key) ? Int(key) : null;
    public double? DoubleOrNull(string key) => Has(key) ? Double(key) : null;
    public bool Bool(string key) => Get(key).GetBoolean();
    public string String(string key) => Get(key).GetString()!;
    public int[] Ints(string key) => Get(key).EnumerateArray().Select(e => e.GetInt32()).ToArray();
    /// <summary>A per-axis pair such as [stride_h, stride_w].</summary>
    public (int H, int W) Pair(string key) => Ints(key) is [var h, var w] ? (h, w) : throw new FormatException($"Fixture {caseName}: meta.args.{key} is not a pair.");

    /// <summary>An axis list, or null for "all axes" (JSON null).</summary>
    public int[]? AxesOrAll(string key) => Has(key) ? Ints(key) : null;
}
