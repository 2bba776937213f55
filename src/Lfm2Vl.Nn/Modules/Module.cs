using Lfm2Vl.Engine;

namespace Lfm2Vl.Nn.Modules;

/// <summary>
/// Base of every layer: named parameters, buffers and submodules in registration order, hierarchical names
/// ("backbone.layer1.0.conv1.weight"), train/eval mode, freezing, counts, a summary and the state dict.
/// Subclasses register their parts in the constructor; a layer with one input and one output derives from
/// <see cref="Module{TIn, TOut}"/>.
/// </summary>
public abstract partial class Module
{
    private readonly OrderedDictionary<string, Parameter> _parameters = new();
    private readonly OrderedDictionary<string, BufferSlot> _buffers = new();
    private readonly OrderedDictionary<string, Module> _modules = new();

    private sealed class BufferSlot(Tensor tensor, bool persistent)
    {
        public Tensor Tensor { get; set; } = tensor;
        public bool Persistent { get; } = persistent;
    }

    /// <summary>True in training mode (the default), false after <see cref="Eval"/>.</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>The type name shown in summaries.</summary>
    public virtual string TypeName => GetType().Name;

    // ---- registration ---------------------------------------------------------------------------

    /// <summary>Adds a parameter under a local name (no dots) and returns it.</summary>
    protected Parameter RegisterParameter(string name, Parameter parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        CheckNewName(name);
        _parameters.Add(name, parameter);
        return parameter;
    }

    /// <summary>
    /// Adds a buffer: state that is not trained (running statistics, fixed tables). The module owns it (it is
    /// moved out of any open scope). Persistent buffers are part of the state dict.
    /// </summary>
    protected Tensor RegisterBuffer(string name, Tensor buffer, bool persistent = true)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        CheckNewName(name);
        _buffers.Add(name, new BufferSlot(buffer.Persist(), persistent));
        return buffer;
    }

    /// <summary>Replaces a registered buffer (the old tensor is released) and returns the new one.</summary>
    protected Tensor SetBuffer(string name, Tensor buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (!_buffers.TryGetValue(name, out var slot))
            throw new KeyNotFoundException($"{TypeName} has no buffer '{name}' (has: {Join(_buffers.Keys)}).");
        if (!ReferenceEquals(slot.Tensor, buffer))
        {
            slot.Tensor.Dispose();
            slot.Tensor = buffer.Persist();
        }
        return buffer;
    }

    /// <summary>Adds a child module under a local name and returns it.</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        CheckNewName(name);
        if (ReferenceEquals(module, this)) throw new ArgumentException("A module cannot contain itself.", nameof(module));
        _modules.Add(name, module);
        return module;
    }

    /// <summary>Replaces a registered child module (e.g. a new head for fine-tuning) and returns the new one.</summary>
    protected T ReplaceModule<T>(string name, T module) where T : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        if (ReferenceEquals(module, this)) throw new ArgumentException("A module cannot contain itself.", nameof(module));
        if (!_modules.ContainsKey(name))
            throw new KeyNotFoundException($"{TypeName} has no child module '{name}' (has: {Join(_modules.Keys)}).");
        _modules[name] = module;
        return module;
    }

    private void CheckNewName(string name)
    {
        if (string.IsNullOrEmpty(name)) throw new ArgumentException("A module member needs a non-empty name.", nameof(name));
        if (name.Contains('.')) throw new ArgumentException($"The name '{name}' contains a dot; dots separate levels in hierarchical names.", nameof(name));
        if (_parameters.ContainsKey(name) || _buffers.ContainsKey(name) || _modules.ContainsKey(name))
            throw new ArgumentException($"{TypeName} already has a member named '{name}'.", nameof(name));
    }

    // ---- mode -----------------------------------------------------------------------------------

    /// <summary>Sets training mode on this module and every descendant (Dropout and norms behave differently).</summary>
    public Module Train(bool training = true)
    {
        IsTraining = training;
        foreach (var child in _modules.Values) child.Train(training);
        OnModeChanged(training);
        return this;
    }

    /// <summary>Evaluation mode on this module and every descendant.</summary>
    public Module Eval() => Train(false);

    /// <summary>Called after <see cref="Train"/> changes the mode of this module.</summary>
    protected virtual void OnModeChanged(bool training) { }

    // ---- freezing -------------------------------------------------------------------------------

    /// <summary>Freezes every parameter of this module and its descendants (no gradients, no updates).</summary>
    public Module Freeze()
    {
        foreach (var p in Parameters()) p.Freeze();
        return this;
    }

    /// <summary>Makes every parameter of this module and its descendants trainable again.</summary>
    public Module Unfreeze()
    {
        foreach (var p in Parameters()) p.Unfreeze();
        return this;
    }

    private static string Join(IEnumerable<string> names)
    {
        var list = names.ToList();
        return list.Count == 0 ? "none" : string.Join(", ", list);
    }
}
