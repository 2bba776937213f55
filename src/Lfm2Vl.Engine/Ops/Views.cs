namespace Lfm2Vl.Engine;

// Views share storage with their input (no copy); their backward maps the gradient back to the input's layout.
public sealed partial class Tensor
{
    private Tensor ViewOf(int offset, int[] shape, int[] strides)
    {
        ThrowIfDisposed();
        return new Tensor(Storage, offset, shape, strides, retain: true);
    }

    private int[] ResolveShape(int[] shape)
    {
        var r = (int[])shape.Clone();
        int infer = -1; long known = 1;
        for (int i = 0; i < r.Length; i++)
        {
            if (r[i] == -1)
            {
                if (infer >= 0) throw new ArgumentException("Only one dimension can be -1 in a reshape.");
                infer = i;
            }
            else known *= r[i];
        }
        if (infer >= 0)
        {
            if (known == 0 || Numel % known != 0)
                throw new ArgumentException($"Cannot reshape {ShapeUtil.Format(_shape)} ({Numel} elements) to {ShapeUtil.Format(shape)}.");
            r[infer] = (int)(Numel / known);
        }
        if (ShapeUtil.Numel(r) != Numel)
            throw new ArgumentException($"Cannot reshape {ShapeUtil.Format(_shape)} ({Numel} elements) to {ShapeUtil.Format(shape)} ({ShapeUtil.Numel(r)} elements).");
        return r;
    }

    /// <summary>Reshape without recording (a view when contiguous, else a copy).</summary>
    internal Tensor ReshapeNoGrad(int[] shape)
    {
        var s = ResolveShape(shape);
        if (IsContiguous) return ViewOf(Offset, s, ShapeUtil.ContiguousStrides(s));
        using var c = ContiguousCopy();
        return c.ViewOf(0, s, ShapeUtil.ContiguousStrides(s));
    }

    /// <summary>Same elements, new shape (-1 infers one dimension). A view when the data is contiguous, else a copy.</summary>
    public Tensor Reshape(params int[] shape)
    {
        var from = _shape;
        return Record(ReshapeNoGrad(shape), "Reshape", [this], [], (g, _) => [g.ReshapeNoGrad(from)]);
    }

    /// <summary>Flattens dimensions start..end (inclusive) into one.</summary>
    public Tensor Flatten(int start = 0, int end = -1)
    {
        if (Rank == 0) return Reshape(1);
        int s = ShapeUtil.Axis(start, Rank), e = ShapeUtil.Axis(end, Rank);
        var shape = new List<int>();
        for (int d = 0; d < s; d++) shape.Add(_shape[d]);
        int prod = 1; for (int d = s; d <= e; d++) prod *= _shape[d];
        shape.Add(prod);
        for (int d = e + 1; d < Rank; d++) shape.Add(_shape[d]);
        return Reshape([.. shape]);
    }

    public Tensor Permute(params int[] dims)
    {
        if (dims.Length != Rank) throw new ArgumentException($"Permute needs {Rank} dimensions, got {dims.Length}.");
        var p = dims.Select(d => ShapeUtil.Axis(d, Rank)).ToArray();
        if (p.Distinct().Count() != Rank) throw new ArgumentException($"Permute dimensions must be distinct: [{string.Join(", ", dims)}].");
        var inv = new int[Rank];
        for (int i = 0; i < Rank; i++) inv[p[i]] = i;
        var y = ViewOf(Offset, p.Select(d => _shape[d]).ToArray(), p.Select(d => _strides[d]).ToArray());
        return Record(y, "Permute", [this], [], (g, _) => [g.PermuteNoGrad(inv)]);
    }

    private Tensor PermuteNoGrad(int[] p) => ViewOf(Offset, p.Select(d => _shape[d]).ToArray(), p.Select(d => _strides[d]).ToArray());

    public Tensor Transpose(int dim0, int dim1)
    {
        var p = Enumerable.Range(0, Rank).ToArray();
        int a = ShapeUtil.Axis(dim0, Rank), b = ShapeUtil.Axis(dim1, Rank);
        (p[a], p[b]) = (p[b], p[a]);
        return Permute(p);
    }

    /// <summary>Transpose of a matrix (the last two dimensions).</summary>
    public Tensor T => Rank >= 2 ? Transpose(-2, -1) : throw new InvalidOperationException("T needs a tensor of rank 2 or more.");

    /// <summary>The slice [start, start + length) of one dimension, as a view.</summary>
    public Tensor Narrow(int dim, int start, int length)
    {
        int d = ShapeUtil.Axis(dim, Rank);
        if (start < 0) start += _shape[d];
        if (start < 0 || length < 0 || start + length > _shape[d])
            throw new ArgumentOutOfRangeException(nameof(start), $"Narrow({dim}, {start}, {length}) is out of range for a dimension of size {_shape[d]}.");
        var shape = (int[])_shape.Clone(); shape[d] = length;
        var y = ViewOf(Offset + start * _strides[d], shape, _strides);
        var from = _shape;
        return Record(y, "Narrow", [this], [], (g, _) =>
        {
            var full = g.NewEmpty((int[])from.Clone());
            full.Backend.Fill(full.View, 0);
            using var slot = full.ViewOf(start * full._strides[d], shape, full._strides);
            full.Backend.Copy(g.View, slot.View);
            return [full];
        });
    }

    /// <summary>The sub-tensor at one index of a dimension (that dimension is removed).</summary>
    public Tensor Select(int dim, int index) => Narrow(dim, index, 1).Squeeze(dim);

    public Tensor Unsqueeze(int dim)
    {
        int d = dim < 0 ? dim + Rank + 1 : dim;
        if (d < 0 || d > Rank) throw new ArgumentOutOfRangeException(nameof(dim), $"Unsqueeze({dim}) is out of range for rank {Rank}.");
        var shape = _shape.ToList(); var strides = _strides.ToList();
        shape.Insert(d, 1);
        strides.Insert(d, d < Rank ? _strides[d] * _shape[d] : 1);
        var from = _shape;
        return Record(ViewOf(Offset, [.. shape], [.. strides]), "Unsqueeze", [this], [], (g, _) => [g.ReshapeNoGrad(from)]);
    }

    /// <summary>Removes one size-1 dimension, or all of them when dim is null.</summary>
    public Tensor Squeeze(int? dim = null)
    {
        var keep = new List<int>();
        for (int d = 0; d < Rank; d++)
        {
            bool drop = dim is null ? _shape[d] == 1 : d == ShapeUtil.Axis(dim.Value, Rank) && _shape[d] == 1;
            if (!drop) keep.Add(d);
        }
        var from = _shape;
        var y = ViewOf(Offset, keep.Select(d => _shape[d]).ToArray(), keep.Select(d => _strides[d]).ToArray());
        return Record(y, "Squeeze", [this], [], (g, _) => [g.ReshapeNoGrad(from)]);
    }

    /// <summary>Broadcasts to a larger shape without copying (size-1 dimensions get stride 0).</summary>
    public Tensor Expand(params int[] shape)
    {
        var target = (int[])shape.Clone();
        int lead = target.Length - Rank;
        for (int i = 0; i < target.Length; i++)
            if (target[i] == -1) target[i] = i - lead >= 0 ? _shape[i - lead] : throw new ArgumentException("-1 in Expand is only allowed for existing dimensions.");
        var v = View.BroadcastTo(target);
        var from = _shape;
        return Record(ViewOf(Offset, target, v.Strides), "Expand", [this], [], (g, _) => [g.SumTo(from)]);
    }

    public Tensor BroadcastTo(params int[] shape) => Expand(shape);

    /// <summary>A contiguous tensor with the same values (a new handle on the same data if already contiguous).</summary>
    public Tensor Contiguous()
    {
        var y = IsContiguous ? NewHandle() : ContiguousCopy();
        return Record(y, "Contiguous", [this], [], (g, _) => [g.NewHandle()]);
    }

    /// <summary>A copy that owns its own storage (gradients flow through).</summary>
    public Tensor Clone() => Record(ContiguousCopy(), "Clone", [this], [], (g, _) => [g.NewHandle()]);

    /// <summary>Converts the element type (gradients are converted back).</summary>
    public Tensor To(DType dtype)
    {
        if (dtype == DType) return Contiguous();
        var y = NewEmpty((int[])_shape.Clone(), dtype);
        Backend.Copy(View, y.View);
        var from = DType;
        if (!dtype.IsFloating()) return y;
        return Record(y, "ToDType", [this], [], (g, _) => [g.To(from)]);
    }

    /// <summary>Copies to another device (gradients are copied back).</summary>
    public Tensor To(Device device)
    {
        if (device == Device) return Contiguous();
        var target = BackendRegistry.Get(device);
        var y = new Tensor(target.Allocate(DType, Numel), (int[])_shape.Clone());
        using (var c = IsContiguous && Offset == 0 ? NewHandle() : ContiguousCopy())
        {
            switch (DType)
            {
                case DType.Float32: { var h = new float[Numel]; c.Backend.Download<float>(c.Storage, h); target.Upload<float>(h, y.Storage); break; }
                case DType.Float64: { var h = new double[Numel]; c.Backend.Download<double>(c.Storage, h); target.Upload<double>(h, y.Storage); break; }
                default: { var h = new int[Numel]; c.Backend.Download<int>(c.Storage, h); target.Upload<int>(h, y.Storage); break; }
            }
        }
        var from = Device;
        return Record(y, "ToDevice", [this], [], (g, _) => [g.To(from)]);
    }
}
