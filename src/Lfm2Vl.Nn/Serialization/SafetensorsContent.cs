using Lfm2Vl.Engine;

namespace Lfm2Vl.Nn.Serialization;

/// <summary>The tensors (in header order) and metadata of a loaded file. It owns the tensors: disposing it releases them.</summary>
public sealed class SafetensorsContent(IReadOnlyDictionary<string, string> metadata) : IDisposable
{
    public OrderedDictionary<string, Tensor> Tensors { get; } = new();
    public IReadOnlyDictionary<string, string> Metadata { get; } = metadata;

    public Tensor this[string name] => Tensors.TryGetValue(name, out var t) ? t
        : throw new KeyNotFoundException($"The file has no tensor '{name}' (has: {string.Join(", ", Tensors.Keys)}).");

    public void Dispose()
    {
        foreach (var t in Tensors.Values) t.Dispose();
        Tensors.Clear();
    }
}
