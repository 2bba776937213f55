namespace Lfm2Vl.Engine;

// Joining, splitting, selecting and masking.
public sealed partial class Tensor
{
    /// <summary>Joins tensors along an existing axis.</summary>
    public static Tensor Concat(IReadOnlyList<Tensor> tensors, int axis = 0)
    {
        if (tensors.Count == 0) throw new ArgumentException("Concat needs at least one tensor.");
        var first = tensors[0];
        int a = ShapeUtil.Axis(axis, first.Rank);
        int total = 0;
        foreach (var t in tensors)
        {
            CheckSameDevice("concat", first, t);
            if (t.Rank != first.Rank) throw new ArgumentException($"Concat: ranks differ ({ShapeUtil.Format(first._shape)} vs {ShapeUtil.Format(t._shape)}).");
            for (int d = 0; d < t.Rank; d++)
                if (d != a && t._shape[d] != first._shape[d])
                    throw new ArgumentException($"Concat along {a}: shapes {ShapeUtil.Format(first._shape)} and {ShapeUtil.Format(t._shape)} differ in dimension {d}.");
            total += t._shape[a];
        }
        var shape = (int[])first._shape.Clone(); shape[a] = total;
        var y = first.NewEmpty(shape);
        var sizes = tensors.Select(t => t._shape[a]).ToArray();
        int off = 0;
        foreach (var t in tensors)
        {
            var s = (int[])shape.Clone(); s[a] = t._shape[a];
            using var slot = y.ViewOf(off * y._strides[a], s, y._strides);
            y.Backend.Copy(t.View, slot.View);
            off += t._shape[a];
        }
        return Record(y, "Concat", [.. tensors], [], (g, _) =>
        {
            var grads = new Tensor?[sizes.Length];
            int o = 0;
            for (int i = 0; i < sizes.Length; i++)
            {
                var s = (int[])g._shape.Clone(); s[a] = sizes[i];
                grads[i] = g.ViewOf(g.Offset + o * g._strides[a], s, g._strides);
                o += sizes[i];
            }
            return grads;
        });
    }

    /// <summary>Joins tensors of one shape along a new axis.</summary>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, int axis = 0)
    {
        if (tensors.Count == 0) throw new ArgumentException("Stack needs at least one tensor.");
        int a = axis < 0 ? axis + tensors[0].Rank + 1 : axis;
        foreach (var t in tensors)
            if (!ShapeUtil.SameShape(t._shape, tensors[0]._shape))
                throw new ArgumentException($"Stack needs equal shapes, got {ShapeUtil.Format(tensors[0]._shape)} and {ShapeUtil.Format(t._shape)}.");
        return Concat(tensors.Select(t => t.Unsqueeze(a)).ToArray(), a);
    }

    /// <summary>Splits into pieces of the given sizes along an axis (views).</summary>
    public Tensor[] Split(int[] sizes, int axis = 0)
    {
        int a = ShapeUtil.Axis(axis, Rank);
        if (sizes.Sum() != _shape[a]) throw new ArgumentException($"Split sizes [{string.Join(", ", sizes)}] do not add up to {_shape[a]}.");
        var parts = new Tensor[sizes.Length];
        int off = 0;
        for (int i = 0; i < sizes.Length; i++) { parts[i] = Narrow(a, off, sizes[i]); off += sizes[i]; }
        return parts;
    }

    /// <summary>Splits into pieces of at most <paramref name="chunkSize"/> along an axis (views).</summary>
    public Tensor[] Split(int chunkSize, int axis = 0)
    {
        int a = ShapeUtil.Axis(axis, Rank);
        if (chunkSize <= 0) throw new ArgumentOutOfRangeException(nameof(chunkSize));
        var sizes = new List<int>();
        for (int o = 0; o < _shape[a]; o += chunkSize) sizes.Add(Math.Min(chunkSize, _shape[a] - o));
        return Split([.. sizes], a);
    }

    /// <summary>out[i][j][k] = x[i][index[i][j][k]][k] for axis 1 (torch.gather).</summary>
    public Tensor Gather(int axis, Tensor index)
    {
        CheckFloating("gather");
        int a = ShapeUtil.Axis(axis, Rank);
        if (index.Rank != Rank) throw new ArgumentException($"Gather: index rank {index.Rank} differs from input rank {Rank}.");
        var y = NewEmpty((int[])index._shape.Clone());
        Backend.Gather(View, a, index.View, y.View);
        var from = _shape;
        return Record(y, "Gather", [this], [index], (g, s) =>
        {
            var dx = g.NewEmpty((int[])from.Clone());
            dx.Backend.Fill(dx.View, 0);
            dx.Backend.ScatterAdd(dx.View, a, s[0].View, g.View);
            return [dx];
        });
    }

    /// <summary>Selects entries along an axis by an int32 index vector (torch.index_select).</summary>
    public Tensor IndexSelect(int axis, Tensor index)
    {
        CheckFloating("index_select");
        int a = ShapeUtil.Axis(axis, Rank);
        if (index.Rank != 1) throw new ArgumentException("IndexSelect: the index must be a vector.");
        var shape = (int[])_shape.Clone(); shape[a] = index.Numel;
        var y = NewEmpty(shape);
        Backend.IndexSelect(View, a, index.View, y.View);
        var from = _shape;
        return Record(y, "IndexSelect", [this], [index], (g, s) =>
        {
            var dx = g.NewEmpty((int[])from.Clone());
            dx.Backend.Fill(dx.View, 0);
            dx.Backend.IndexAdd(dx.View, a, s[0].View, g.View);
            return [dx];
        });
    }

    /// <summary>Picks a where condition is non-zero, else b (broadcasting all three).</summary>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b)
    {
        CheckSameDevice("where", a, b);
        if (condition.Device != a.Device) throw new ArgumentException("Where: the condition is on another device.");
        var shape = ShapeUtil.Broadcast(ShapeUtil.Broadcast(condition._shape, a._shape), b._shape);
        var y = a.NewEmpty(shape);
        a.Backend.Where(condition.View.BroadcastTo(shape), a.View.BroadcastTo(shape), b.View.BroadcastTo(shape), y.View);
        return Record(y, "Where", [a, b], [condition], (g, s) =>
        {
            var zero = g.ScalarLike(0);
            return
            [
                a.RequiresGrad ? Where(s[0], g, zero).SumTo(a._shape) : null,
                b.RequiresGrad ? Where(s[0], zero, g).SumTo(b._shape) : null,
            ];
        });
    }

    /// <summary>Replaces entries where the mask is non-zero with a value.</summary>
    public Tensor MaskedFill(Tensor mask, double value) => Where(mask, ScalarLike(value), this);

    /// <summary>One-hot rows for int32 class indices: shape [..., numClasses], float32 by default.</summary>
    public static Tensor OneHot(Tensor indices, int numClasses, DType dtype = DType.Float32)
    {
        if (indices.DType != DType.Int32) throw new ArgumentException($"OneHot needs int32 indices, got {indices.DType.Name()}.");
        int[] shape = [.. indices._shape, numClasses];
        var y = indices.NewEmpty(shape, dtype);
        y.Backend.Fill(y.View, 0);
        using var idx = indices.ReshapeNoGrad([.. indices._shape, 1]);
        using var ones = Full([.. indices._shape, 1], 1, dtype, indices.Device);
        y.Backend.ScatterAdd(y.View, shape.Length - 1, idx.View, ones.View);
        return y;
    }
}
