namespace Lfm2Vl.Engine;

public sealed partial class Tensor
{
    /// <summary>A new uninitialized contiguous tensor on this tensor's device.</summary>
    internal Tensor NewEmpty(int[] shape, DType? dtype = null)
        => new(Backend.Allocate(dtype ?? DType, ShapeUtil.Numel(shape)), shape);

    internal static void CheckSameDevice(string op, Tensor a, Tensor b)
    {
        if (a.Device != b.Device)
            throw new ArgumentException($"{op}: tensors are on different devices ({a.Device} and {b.Device}); move one with .To(device).");
        if (a.DType != b.DType)
            throw new ArgumentException($"{op}: dtypes differ ({a.DType.Name()} and {b.DType.Name()}); convert one with .To(DType).");
    }

    internal void CheckFloating(string op)
    {
        ThrowIfDisposed();
        if (!DType.IsFloating()) throw new ArgumentException($"{op} needs a floating-point tensor, got {DType.Name()}.");
    }

    internal static Tensor UnaryForward(UnaryOp op, Tensor x, double alpha = 0, double beta = 0)
    {
        x.CheckFloating(op.ToString());
        var r = x.NewEmpty((int[])x._shape.Clone());
        x.Backend.Unary(op, x.View, r.View, alpha, beta);
        return r;
    }

    internal static Tensor BinaryForward(BinaryOp op, Tensor a, Tensor b, double alpha = 0, double beta = 0)
    {
        CheckSameDevice(op.ToString(), a, b);
        a.CheckFloating(op.ToString());
        b.ThrowIfDisposed();
        var shape = ShapeUtil.Broadcast(a._shape, b._shape);
        var r = a.NewEmpty(shape);
        a.Backend.Binary(op, a.View.BroadcastTo(shape), b.View.BroadcastTo(shape), r.View, alpha, beta);
        return r;
    }

    /// <summary>Sums a broadcast gradient back to the shape of the input it was broadcast from.</summary>
    public Tensor SumTo(int[] shape)
    {
        if (ShapeUtil.SameShape(_shape, shape)) return this.NewHandle();
        int lead = Rank - shape.Length;
        if (lead < 0) throw new ArgumentException($"Cannot sum {ShapeUtil.Format(_shape)} to the larger shape {ShapeUtil.Format(shape)}.");
        var keep = new int[Rank];
        for (int d = 0; d < Rank; d++)
        {
            int j = d - lead;
            keep[d] = j < 0 ? 1 : shape[j] == _shape[d] ? _shape[d] : shape[j] == 1 ? 1
                : throw new ArgumentException($"Cannot sum {ShapeUtil.Format(_shape)} to {ShapeUtil.Format(shape)}.");
        }
        var r = NewEmpty(keep);
        Backend.Reduce(ReduceOp.Sum, View, r.View);
        return r.ReshapeNoGrad(shape);
    }
}
