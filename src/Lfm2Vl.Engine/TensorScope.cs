namespace Lfm2Vl.Engine;

/// <summary>
/// Owns every tensor created on this thread while it is the innermost open scope, and releases them when
/// disposed. A training step or an inference call runs inside one, so its intermediates go back to the
/// pool at once instead of waiting for the garbage collector. Tensors that must outlive the scope are
/// moved out with <see cref="Tensor.Persist"/> (or created while no scope is open, like parameters).
/// </summary>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static TensorScope? _current;
    private readonly TensorScope? _parent;
    private readonly List<Tensor> _owned = new();
    private bool _disposed;

    private TensorScope(TensorScope? parent) { _parent = parent; }

    public static TensorScope? Current => _current;

    /// <summary>Opens a scope that owns tensors created on this thread until it is disposed.</summary>
    public static TensorScope Begin() => _current = new TensorScope(_current);

    /// <summary>Number of tensors this scope will release.</summary>
    public int Count => _owned.Count;

    internal static void Register(Tensor t)
    {
        var s = _current;
        if (s is not null && !s._suspended) s._owned.Add(t);
    }

    private bool _suspended;

    /// <summary>Temporarily stops registering (for tensors owned elsewhere, such as leaf gradients).</summary>
    internal static SuspendHandle Suspend() => new(_current);

    internal readonly struct SuspendHandle : IDisposable
    {
        private readonly TensorScope? _scope;
        private readonly bool _was;
        public SuspendHandle(TensorScope? scope)
        {
            _scope = scope;
            _was = scope?._suspended ?? false;
            if (scope is not null) scope._suspended = true;
        }
        public void Dispose() { if (_scope is not null) _scope._suspended = _was; }
    }

    internal static void Unregister(Tensor t)
    {
        for (var s = _current; s is not null; s = s._parent)
        {
            int i = s._owned.LastIndexOf(t);
            if (i >= 0) { s._owned.RemoveAt(i); return; }
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (_current != this)
            throw new InvalidOperationException("Tensor scopes must be disposed in the reverse order they were opened, on the thread that opened them.");
        foreach (var t in _owned) t.Dispose();
        _owned.Clear();
        _current = _parent;
    }
}
