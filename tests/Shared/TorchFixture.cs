using System.Text.Json;

namespace Lfm2Vl.Tests.Shared;

/// <summary>
/// A reference fixture written by tests/pytorch/*.py: named tensors (shape, data as float64 or int) plus
/// metadata. The files are committed, so the tests need no Python.
/// </summary>
public sealed class TorchFixture
{
    public required string Name { get; init; }
    public required Dictionary<string, FixtureTensor> Tensors { get; init; }
    public required JsonElement Meta { get; init; }

    public sealed record FixtureTensor(int[] Shape, string DType, double[] Data);

    /// <summary>The folder holding fixtures, copied next to the test assembly.</summary>
    public static string Root => Path.Combine(AppContext.BaseDirectory, "Fixtures");

    public static TorchFixture Load(string group, string name)
    {
        var path = Path.Combine(Root, group, name + ".json");
        if (!File.Exists(path))
            throw new FileNotFoundException($"Fixture {group}/{name} is missing; regenerate with /usr/bin/python3 tests/pytorch/<generator>.py (see README).", path);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        var tensors = new Dictionary<string, FixtureTensor>();
        foreach (var p in root.GetProperty("tensors").EnumerateObject())
        {
            var shape = p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var dtype = p.Value.GetProperty("dtype").GetString()!;
            var data = p.Value.GetProperty("data").EnumerateArray().Select(Number).ToArray();
            tensors[p.Name] = new FixtureTensor(shape, dtype, data);
        }
        return new TorchFixture
        {
            Name = root.GetProperty("name").GetString()!,
            Tensors = tensors,
            Meta = root.GetProperty("meta").Clone(),
        };
    }

    /// <summary>A data value: a JSON number, or one of the strings fixture_io.py writes for non-finite values.</summary>
    private static double Number(JsonElement e) => e.ValueKind != JsonValueKind.String ? e.GetDouble() : e.GetString() switch
    {
        "Infinity" => double.PositiveInfinity,
        "-Infinity" => double.NegativeInfinity,
        "NaN" => double.NaN,
        var s => throw new FormatException($"Fixture value '{s}' is neither a number nor Infinity, -Infinity or NaN."),
    };

    /// <summary>All fixture names of a group (file names without .json).</summary>
    public static IEnumerable<string> Names(string group)
    {
        var dir = Path.Combine(Root, group);
        return Directory.Exists(dir)
            ? Directory.EnumerateFiles(dir, "*.json").Select(f => Path.GetFileNameWithoutExtension(f)!).Order()
            : [];
    }

    public FixtureTensor this[string key] => Tensors.TryGetValue(key, out var t) ? t
        : throw new KeyNotFoundException($"Fixture {Name} has no tensor '{key}' (has: {string.Join(", ", Tensors.Keys)}).");

    public bool Has(string key) => Tensors.ContainsKey(key);
}
