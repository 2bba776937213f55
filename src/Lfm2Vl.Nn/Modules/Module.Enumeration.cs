namespace Lfm2Vl.Nn.Modules;

// Walking the tree: named parameters, buffers and modules with their full dotted names.
public abstract partial class Module
{
    /// <summary>Direct children in registration order.</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren()
    {
        foreach (var (name, m) in _modules) yield return (name, m);
    }

    /// <summary>This module (named "") and every descendant, depth first; a module reached twice is listed once.</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules()
    {
        var seen = new HashSet<Module>(ReferenceEqualityComparer.Instance);
        return Walk("", seen);
    }

    private IEnumerable<(string, Module)> Walk(string prefix, HashSet<Module> seen)
    {
        if (!seen.Add(this)) yield break;
        yield return (prefix, this);
        foreach (var (name, child) in _modules)
            foreach (var item in child.Walk(Qualify(prefix, name), seen))
                yield return item;
    }

    /// <summary>
    /// Every parameter with its full name, in registration order. A parameter shared by two modules is listed
    /// once, under the first name, so optimizers and counts see it once.
    /// </summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters()
    {
        var seen = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        foreach (var (prefix, m) in NamedModules())
            foreach (var (name, p) in m._parameters)
                if (seen.Add(p)) yield return (Qualify(prefix, name), p);
    }

    public IEnumerable<Parameter> Parameters() => NamedParameters().Select(x => x.Parameter);

    /// <summary>The parameters registered directly on this module (not its children).</summary>
    public IEnumerable<(string Name, Parameter Parameter)> OwnParameters()
    {
        foreach (var (name, p) in _parameters) yield return (name, p);
    }

    /// <summary>Every buffer with its full name (persistent or not).</summary>
    public IEnumerable<(string Name, Engine.Tensor Buffer)> NamedBuffers()
    {
        foreach (var (prefix, m) in NamedModules())
            foreach (var (name, slot) in m._buffers)
                yield return (Qualify(prefix, name), slot.Tensor);
    }

    /// <summary>The buffers registered directly on this module.</summary>
    public IEnumerable<(string Name, Engine.Tensor Buffer)> OwnBuffers()
    {
        foreach (var (name, slot) in _buffers) yield return (name, slot.Tensor);
    }

    /// <summary>The descendant at a dotted path ("" is this module).</summary>
    public Module GetSubmodule(string path)
    {
        var m = this;
        if (path.Length == 0) return m;
        foreach (var part in path.Split('.'))
        {
            if (!m._modules.TryGetValue(part, out var next))
                throw new KeyNotFoundException($"No submodule '{path}': {m.TypeName} has no child '{part}' (children: {Join(m._modules.Keys)}).");
            m = next;
        }
        return m;
    }

    /// <summary>The parameter at a dotted path such as "encoder.0.weight".</summary>
    public Parameter GetParameter(string path)
    {
        int dot = path.LastIndexOf('.');
        var owner = GetSubmodule(dot < 0 ? "" : path[..dot]);
        var local = dot < 0 ? path : path[(dot + 1)..];
        return owner._parameters.TryGetValue(local, out var p) ? p
            : throw new KeyNotFoundException($"No parameter '{path}': {owner.TypeName} has no parameter '{local}' (has: {Join(owner._parameters.Keys)}).");
    }

    /// <summary>Number of parameter elements (shared parameters once).</summary>
    public long ParameterCount() => Parameters().Sum(p => (long)p.Numel);

    /// <summary>Number of elements in parameters that are not frozen.</summary>
    public long TrainableParameterCount() => Parameters().Where(p => p.RequiresGrad).Sum(p => (long)p.Numel);

    /// <summary>The structure table: each module's own parameter shapes and counts, plus totals.</summary>
    public ModuleSummary Summary() => new(this);

    internal static string Qualify(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;
}
