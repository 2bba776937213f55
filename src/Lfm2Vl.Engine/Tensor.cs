using Lfm2Vl.Engine.Autograd;

namespace Lfm2Vl.Engine;

/// <summary>
/// An n-dimensional array: a strided view over a reference-counted <see cref="Engine.Storage"/>, with
/// define-by-run autograd. Views (reshape, permute, narrow, expand) share storage; every op returns a
/// new tensor. Disposing a tensor releases its reference to the storage; tensors created inside a
/// <see cref="TensorScope"/> are disposed with the scope.
/// </summary>
public sealed partial class Tensor : IDisposable
{
    private readonly int[] _shape;
    private readonly int[] _strides;
    private bool _requiresGrad;
    private bool _disposed;

    internal Tensor(Storage storage, int offset, int[] shape, int[] strides, bool retain)
    {
        if (retain) storage.Retain();
        Storage = storage;
        Offset = offset;
        _shape = shape;
        _strides = strides;
        TensorScope.Register(this);
    }

    /// <summary>Wraps a freshly allocated storage (whose single reference this tensor takes over).</summary>
    internal Tensor(Storage storage, int[] shape) : this(storage, 0, shape, ShapeUtil.ContiguousStrides(shape), retain: false) { }

    /// <summary>The buffer this tensor views (replaced only by <see cref="MoveStorageTo"/>).</summary>
    public Storage Storage { get; private set; }
    public int Offset { get; private set; }
    public int[] Shape => (int[])_shape.Clone();
    public int[] Strides => (int[])_strides.Clone();
    internal int[] Dims => _shape;
    internal int[] StridesRaw => _strides;
    public int Rank => _shape.Length;
    public int Numel => ShapeUtil.Numel(_shape);
    public DType DType => Storage.DType;
    public Device Device => Storage.Device;
    internal IBackend Backend => Storage.Backend;
    public bool IsContiguous => ShapeUtil.IsContiguous(_shape, _strides);
    public bool IsDisposed => _disposed;

    /// <summary>Extent of one dimension (negative counts from the end).</summary>
    public int Size(int dim) => _shape[ShapeUtil.Axis(dim, Rank)];

    /// <summary>What a backend primitive sees.</summary>
    public TensorView View
    {
        get
        {
            ThrowIfDisposed();
            return new TensorView(Storage, Offset, _shape, _strides);
        }
    }

    // ---- autograd state -------------------------------------------------------------------------

    /// <summary>The gradient accumulated by <see cref="Backward"/> (leaves only).</summary>
    public Tensor? Grad { get; set; }

    /// <summary>The op that produced this tensor, or null for a leaf.</summary>
    public GradNode? GradFn { get; internal set; }

    public bool IsLeaf => GradFn is null;

    /// <summary>Whether gradients flow to (or through) this tensor. Settable on leaves only.</summary>
    public bool RequiresGrad
    {
        get => _requiresGrad;
        set
        {
            if (!IsLeaf && !value)
                throw new InvalidOperationException("RequiresGrad can only be cleared on a leaf; use Detach() to cut a tensor from the graph.");
            if (value && !DType.IsFloating())
                throw new InvalidOperationException($"Only floating-point tensors can require gradients (this one is {DType.Name()}).");
            _requiresGrad = value;
        }
    }

    /// <summary>Sets RequiresGrad and returns this tensor (fluent).</summary>
    public Tensor RequireGrad(bool value = true)
    {
        RequiresGrad = value;
        return this;
    }

    /// <summary>A view of the same data outside the graph.</summary>
    public Tensor Detach() => new(Storage, Offset, _shape, _strides, retain: true);

    /// <summary>Clears the accumulated gradient (releasing its buffer).</summary>
    public void ZeroGrad()
    {
        Grad?.Dispose();
        Grad = null;
    }

    // ---- ownership ------------------------------------------------------------------------------

    /// <summary>Removes this tensor from the enclosing scopes, so it outlives them (the caller owns it).</summary>
    public Tensor Persist()
    {
        TensorScope.Unregister(this);
        return this;
    }

    /// <summary>Another handle on the same data with its own reference (owned by the current scope).</summary>
    internal Tensor NewHandle() => new(Storage, Offset, _shape, _strides, retain: true);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Storage.Release();
    }

    internal void ThrowIfDisposed()
    {
        if (_disposed)
            throw new ObjectDisposedException(nameof(Tensor),
                $"This {ShapeUtil.Format(_shape)} tensor was disposed (its scope ended or Dispose was called). " +
                "Keep tensors that must outlive a TensorScope with Persist().");
    }

    public override string ToString() => TensorFormatter.Format(this);
}
