namespace Lfm2Vl.Engine;

public sealed partial class Tensor
{
    /// <summary>Softmax along an axis (numerically stable: the row maximum is subtracted first).</summary>
    public Tensor Softmax(int axis = -1) => SoftmaxImpl(axis, log: false);

    /// <summary>log(softmax(x)) along an axis, computed without forming softmax.</summary>
    public Tensor LogSoftmax(int axis = -1) => SoftmaxImpl(axis, log: true);

    private Tensor SoftmaxImpl(int axis, bool log)
    {
        CheckFloating(log ? "log_softmax" : "softmax");
        if (Rank == 0) throw new ArgumentException("Softmax needs a tensor of rank 1 or more.");
        int a = ShapeUtil.Axis(axis, Rank);
        // The primitive works on the last axis; other axes go through a (differentiable) transpose.
        if (a != Rank - 1) return Transpose(a, -1).SoftmaxImpl(-1, log).Transpose(a, -1);
        var y = NewEmpty((int[])_shape.Clone());
        Backend.Softmax(View, y.View, log);
        return Record(y, log ? "LogSoftmax" : "Softmax", [this], [y], (g, s) =>
        {
            var dx = g.NewEmpty((int[])g._shape.Clone());
            dx.Backend.SoftmaxBackward(s[0].View, g.View, dx.View, log);
            return [dx];
        });
    }
}
