using System.Globalization;
using Lfm2Vl.Engine;

namespace Lfm2Vl.Nn.Serialization;

/// <summary>
/// Named tensors plus named scalars: what an optimizer or a whole checkpoint needs to resume exactly. It owns
/// its tensors (disposing it releases them). It saves to one safetensors file, the scalars going into the
/// metadata as round-trip strings under "scalar:" keys, so a double comes back bit for bit.
/// </summary>
public sealed class TrainingState : IDisposable
{
    private const string ScalarPrefix = "scalar:";

    public OrderedDictionary<string, Tensor> Tensors { get; } = new();
    public OrderedDictionary<string, double> Scalars { get; } = new();
    /// <summary>Free-form strings saved with the file (keys must not start with "scalar:").</summary>
    public Dictionary<string, string> Metadata { get; } = new();

    /// <summary>Adds a tensor the state takes ownership of (moved out of any open scope).</summary>
    public void AddTensor(string name, Tensor t) => Tensors.Add(name, t.Persist());

    /// <summary>Adds copies of tensors (for example a module's live state dict) under a prefix.</summary>
    public void AddCopies(string prefix, IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        using var noGrad = GradMode.NoGrad();
        foreach (var (name, t) in tensors) AddTensor(prefix + name, t.Clone());
    }

    /// <summary>Moves every entry of another state in here under a prefix; the other is left empty.</summary>
    public void Absorb(string prefix, TrainingState other)
    {
        foreach (var (k, t) in other.Tensors) Tensors.Add(prefix + k, t);
        foreach (var (k, v) in other.Scalars) Scalars.Add(prefix + k, v);
        other.Tensors.Clear();
        other.Scalars.Clear();
    }

    public void AddScalars(string prefix, IEnumerable<KeyValuePair<string, double>> scalars)
    {
        foreach (var (k, v) in scalars) Scalars.Add(prefix + k, v);
    }

    /// <summary>Moves the entries under a prefix into a new state (prefix removed).</summary>
    public TrainingState Extract(string prefix)
    {
        var r = new TrainingState();
        foreach (var k in Tensors.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList())
        {
            r.Tensors.Add(k[prefix.Length..], Tensors[k]);
            Tensors.Remove(k);
        }
        foreach (var k in Scalars.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToList())
        {
            r.Scalars.Add(k[prefix.Length..], Scalars[k]);
            Scalars.Remove(k);
        }
        return r;
    }

    public double Scalar(string name) => Scalars.TryGetValue(name, out var v) ? v
        : throw new KeyNotFoundException($"The state has no scalar '{name}'.");

    public Tensor Tensor(string name) => Tensors.TryGetValue(name, out var t) ? t
        : throw new KeyNotFoundException($"The state has no tensor '{name}'.");

    /// <summary>The scalars under a prefix (prefix removed), e.g. a scheduler's state.</summary>
    public Dictionary<string, double> ScalarsUnder(string prefix) => Scalars
        .Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
        .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value);

    /// <summary>Stores a generator's full state (as text in the metadata: 64-bit words do not fit a double).</summary>
    public void AddGenerator(string name, Generator generator)
        => Metadata["generator:" + name] = string.Join(",", generator.GetState().Select(w => w.ToString(CultureInfo.InvariantCulture)));

    /// <summary>Restores a generator saved with <see cref="AddGenerator"/>.</summary>
    public void RestoreGenerator(string name, Generator generator)
    {
        if (!Metadata.TryGetValue("generator:" + name, out var text))
            throw new KeyNotFoundException($"The state has no generator '{name}'.");
        var words = text.Split(',');
        var state = new ulong[words.Length];
        for (int i = 0; i < words.Length; i++)
            if (!ulong.TryParse(words[i], NumberStyles.None, CultureInfo.InvariantCulture, out state[i]))
                throw new InvalidDataException($"Generator '{name}' has a malformed state: '{text}'.");
        generator.SetState(state);
    }

    public void Save(string path)
    {
        var meta = new Dictionary<string, string>();
        foreach (var (k, v) in Metadata)
        {
            if (k.StartsWith(ScalarPrefix, StringComparison.Ordinal)) throw new InvalidOperationException($"Metadata key '{k}' uses the reserved prefix '{ScalarPrefix}'.");
            meta[k] = v;
        }
        foreach (var (k, v) in Scalars) meta[ScalarPrefix + k] = v.ToString("R", CultureInfo.InvariantCulture);
        SafetensorsWriter.Save(path, Tensors, meta);
    }

    public static TrainingState Load(string path, Device? device = null)
    {
        var content = SafetensorsReader.Load(path, device);
        var state = new TrainingState();
        foreach (var (k, t) in content.Tensors) state.Tensors.Add(k, t);
        content.Tensors.Clear();
        foreach (var (k, v) in content.Metadata)
        {
            if (!k.StartsWith(ScalarPrefix, StringComparison.Ordinal)) { state.Metadata[k] = v; continue; }
            if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d))
            {
                state.Dispose();
                throw new InvalidDataException($"{path}: scalar '{k[ScalarPrefix.Length..]}' has the value '{v}', which is not a number.");
            }
            state.Scalars.Add(k[ScalarPrefix.Length..], d);
        }
        return state;
    }

    public void Dispose()
    {
        foreach (var t in Tensors.Values) t.Dispose();
        Tensors.Clear();
    }
}
