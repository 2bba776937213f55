namespace Lfm2Vl.Engine;

// In-place updates for optimizers, initializers and buffers. They are not recorded in the graph, so they
// refuse to touch a tensor that requires grad while grad mode is on.
public sealed partial class Tensor
{
    private void CheckInPlace(string op)
    {
        ThrowIfDisposed();
        if (GradMode.IsEnabled && RequiresGrad)
            throw new InvalidOperationException($"{op} would modify a tensor that requires grad outside the graph; wrap the update in GradMode.NoGrad().");
    }

    /// <summary>this += alpha * other (other broadcasts to this shape).</summary>
    public Tensor AddInPlace(Tensor other, double alpha = 1)
    {
        CheckInPlace("AddInPlace");
        CheckSameDevice("AddInPlace", this, other);
        var o = other.View.BroadcastTo(_shape);
        if (alpha == 1) Backend.Binary(BinaryOp.Add, View, o, View);
        else
        {
            using var scaled = NewEmpty((int[])_shape.Clone());
            Backend.Unary(UnaryOp.MulScalar, o, scaled.View, alpha);
            Backend.Binary(BinaryOp.Add, View, scaled.View, View);
        }
        return this;
    }

    /// <summary>this *= value.</summary>
    public Tensor MulInPlace(double value)
    {
        CheckInPlace("MulInPlace");
        Backend.Unary(UnaryOp.MulScalar, View, View, value);
        return this;
    }

    /// <summary>this = op(this, other) for any binary primitive (other broadcasts).</summary>
    public Tensor ApplyInPlace(BinaryOp op, Tensor other, double alpha = 0, double beta = 0)
    {
        CheckInPlace(op.ToString());
        CheckSameDevice(op.ToString(), this, other);
        Backend.Binary(op, View, other.View.BroadcastTo(_shape), View, alpha, beta);
        return this;
    }

    /// <summary>this = op(this) for any unary primitive.</summary>
    public Tensor ApplyInPlace(UnaryOp op, double alpha = 0, double beta = 0)
    {
        CheckInPlace(op.ToString());
        Backend.Unary(op, View, View, alpha, beta);
        return this;
    }

    /// <summary>Copies values from another tensor of the same shape (any device or dtype).</summary>
    public Tensor CopyFrom(Tensor source)
    {
        CheckInPlace("CopyFrom");
        if (!ShapeUtil.SameShape(source._shape, _shape))
            throw new ArgumentException($"CopyFrom: shape {ShapeUtil.Format(source._shape)} does not match {ShapeUtil.Format(_shape)}.");
        if (source.Device != Device)
        {
            using var moved = source.To(Device);
            Backend.Copy(moved.View, View);
        }
        else Backend.Copy(source.View, View);
        return this;
    }

    public Tensor Fill(double value)
    {
        CheckInPlace("Fill");
        Backend.Fill(View, value);
        return this;
    }

    public Tensor Zero() => Fill(0);
}
