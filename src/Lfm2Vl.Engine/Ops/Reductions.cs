namespace Lfm2Vl.Engine;

// Reductions over axes (all axes when none are given), with keepdim as in PyTorch.
public sealed partial class Tensor
{
    private int[] ReducedShape(int[]? axes, out int[] keepShape, out int count)
    {
        var set = new bool[Rank];
        if (axes is null || axes.Length == 0) Array.Fill(set, true);
        else foreach (var a in axes) set[ShapeUtil.Axis(a, Rank)] = true;
        keepShape = new int[Rank];
        var dropped = new List<int>();
        count = 1;
        for (int d = 0; d < Rank; d++)
        {
            keepShape[d] = set[d] ? 1 : _shape[d];
            if (set[d]) count *= _shape[d]; else dropped.Add(_shape[d]);
        }
        return [.. dropped];
    }

    private Tensor ReduceForward(ReduceOp op, int[]? axes, bool keepDim, out int[] keepShape, out int count)
    {
        CheckFloating(op.ToString());
        var outShape = ReducedShape(axes, out keepShape, out count);
        if (count == 0 && op != ReduceOp.Sum)
            throw new ArgumentException($"{op} over an empty dimension has no value (shape {ShapeUtil.Format(_shape)}).");
        var r = NewEmpty((int[])keepShape.Clone());
        Backend.Reduce(op, View, r.View);
        if (keepDim) return r;
        var v = r.ViewOf(0, outShape, ShapeUtil.ContiguousStrides(outShape));
        r.Dispose();
        return v;
    }

    /// <summary>Sum over the given axes (all when none).</summary>
    public Tensor Sum(int[]? axes = null, bool keepDim = false)
    {
        var y = ReduceForward(ReduceOp.Sum, axes, keepDim, out var keep, out _);
        var from = _shape;
        return Record(y, "Sum", [this], [], (g, _) => [g.ReshapeNoGrad(keep).ExpandNoGrad(from)]);
    }

    public Tensor Sum(int axis, bool keepDim = false) => Sum([axis], keepDim);

    /// <summary>Mean over the given axes (all when none).</summary>
    public Tensor Mean(int[]? axes = null, bool keepDim = false)
    {
        ReducedShape(axes, out _, out int count);
        return Sum(axes, keepDim) * (1.0 / count);
    }

    public Tensor Mean(int axis, bool keepDim = false) => Mean([axis], keepDim);

    /// <summary>Maximum over axes; the gradient is shared evenly among tied maxima (as torch.amax).</summary>
    public Tensor Max(int[]? axes = null, bool keepDim = false) => Extreme(ReduceOp.Max, axes, keepDim);
    public Tensor Max(int axis, bool keepDim = false) => Max([axis], keepDim);
    public Tensor Min(int[]? axes = null, bool keepDim = false) => Extreme(ReduceOp.Min, axes, keepDim);
    public Tensor Min(int axis, bool keepDim = false) => Min([axis], keepDim);

    private Tensor Extreme(ReduceOp op, int[]? axes, bool keepDim)
    {
        var y = ReduceForward(op, axes, keepDim, out var keep, out _);
        var from = _shape;
        return Record(y, op.ToString(), [this], [this, y], (g, s) =>
        {
            var yk = s[1].ReshapeNoGrad(keep);
            var mask = Equal(s[0], yk);
            var ties = mask.Sum(axes, keepDim: true);
            var gk = g.ReshapeNoGrad(keep);
            return [mask * (gk / ties)];
        });
    }

    /// <summary>Variance with Bessel's correction by default (correction = 1), as torch.var.</summary>
    public Tensor Var(int[]? axes = null, bool keepDim = false, int correction = 1)
    {
        ReducedShape(axes, out _, out int count);
        var mean = Mean(axes, keepDim: true);
        var sq = (this - mean).Square().Sum(axes, keepDim);
        return sq * (1.0 / Math.Max(count - correction, 0));
    }

    public Tensor Var(int axis, bool keepDim = false, int correction = 1) => Var([axis], keepDim, correction);

    public Tensor Std(int[]? axes = null, bool keepDim = false, int correction = 1) => Var(axes, keepDim, correction).Sqrt();
    public Tensor Std(int axis, bool keepDim = false, int correction = 1) => Std([axis], keepDim, correction);

    /// <summary>Index of the maximum along an axis (first one on ties), as int32.</summary>
    public Tensor ArgMax(int axis = -1, bool keepDim = false) => ArgExtreme(ReduceOp.Max, axis, keepDim);
    public Tensor ArgMin(int axis = -1, bool keepDim = false) => ArgExtreme(ReduceOp.Min, axis, keepDim);

    private Tensor ArgExtreme(ReduceOp op, int axis, bool keepDim)
    {
        CheckFloating("argmax");
        int a = ShapeUtil.Axis(axis, Rank);
        var keep = (int[])_shape.Clone(); keep[a] = 1;
        var r = NewEmpty(keep, DType.Int32);
        Backend.ArgReduce(op, View, a, r.View);
        if (keepDim) return r;
        var outShape = _shape.Where((_, d) => d != a).ToArray();
        var v = r.ViewOf(0, outShape, ShapeUtil.ContiguousStrides(outShape));
        r.Dispose();
        return v;
    }

    private Tensor ExpandNoGrad(int[] shape) => ViewOf(Offset, shape, View.BroadcastTo(shape).Strides);
}
