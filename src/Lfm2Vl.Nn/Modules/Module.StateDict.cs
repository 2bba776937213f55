using Lfm2Vl.Engine;

namespace Lfm2Vl.Nn.Modules;

// The state dict: every parameter and persistent buffer by full name, in a stable order.
public abstract partial class Module
{
    /// <summary>
    /// Parameters then persistent buffers of each module, parents before children (PyTorch's order). The
    /// tensors are the live ones, not copies: do not dispose them; save them or copy them before changing the
    /// model. A parameter shared by two modules appears under both names, as in PyTorch.
    /// </summary>
    public OrderedDictionary<string, Tensor> StateDict()
    {
        var dict = new OrderedDictionary<string, Tensor>();
        foreach (var (prefix, m) in NamedModules())
        {
            foreach (var (name, p) in m._parameters) dict.Add(Qualify(prefix, name), p.Data);
            foreach (var (name, slot) in m._buffers)
                if (slot.Persistent) dict.Add(Qualify(prefix, name), slot.Tensor);
        }
        return dict;
    }

    /// <summary>
    /// Copies values into the parameters and buffers by name (in place, so optimizers keep their references).
    /// Everything is checked before anything is written: a shape mismatch always throws, and with
    /// <paramref name="strict"/> so do missing and unexpected names. The exception lists every problem.
    /// Values are converted to each target's dtype.
    /// </summary>
    public StateDictLoadResult LoadStateDict(IEnumerable<KeyValuePair<string, Tensor>> source, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(source);
        var targets = StateDict();
        var given = new OrderedDictionary<string, Tensor>();
        foreach (var (name, t) in source)
            if (!given.TryAdd(name, t)) throw new ArgumentException($"The state dict names '{name}' twice.", nameof(source));

        var missing = targets.Keys.Where(k => !given.ContainsKey(k)).ToList();
        var unexpected = given.Keys.Where(k => !targets.ContainsKey(k)).ToList();
        var mismatched = new List<ShapeMismatch>();
        foreach (var (name, target) in targets)
            if (given.TryGetValue(name, out var src) && !ShapeUtil.SameShape(src.Shape, target.Shape))
                mismatched.Add(new ShapeMismatch(name, target.Shape, src.Shape));

        var result = new StateDictLoadResult(missing, unexpected, mismatched);
        if (mismatched.Count > 0 || strict && !result.IsExactMatch)
            throw new StateDictMismatchException(result, TypeName);

        using var noGrad = GradMode.NoGrad();
        foreach (var (name, target) in targets)
            if (given.TryGetValue(name, out var src)) target.CopyFrom(src);
        return result;
    }
}
