using System.Collections;
using Lfm2Vl.Engine;

namespace Lfm2Vl.Nn.Modules;

/// <summary>Runs its children in order, each on the previous one's output. Children are named "0", "1", ... unless named explicitly.</summary>
public class Sequential : Module<Tensor, Tensor>, IEnumerable<Module<Tensor, Tensor>>
{
    private readonly List<Module<Tensor, Tensor>> _layers = new();

    public Sequential() { }

    public Sequential(params Module<Tensor, Tensor>[] layers)
    {
        foreach (var l in layers) Add(l);
    }

    /// <summary>Appends a layer named by its position.</summary>
    public void Add(Module<Tensor, Tensor> layer) => Add(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer);

    /// <summary>Appends a layer under a chosen name.</summary>
    public void Add(string name, Module<Tensor, Tensor> layer)
    {
        RegisterModule(name, layer);
        _layers.Add(layer);
    }

    public int Count => _layers.Count;
    public Module<Tensor, Tensor> this[int index] => _layers[index];

    public override Tensor Forward(Tensor input)
    {
        var x = input;
        foreach (var layer in _layers) x = layer.Forward(x);
        return x;
    }

    public IEnumerator<Module<Tensor, Tensor>> GetEnumerator() => _layers.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
