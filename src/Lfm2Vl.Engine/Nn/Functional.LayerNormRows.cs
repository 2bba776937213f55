namespace Lfm2Vl.Engine;

public static partial class Functional
{
    /// <summary>
    /// (x - mean) / sqrt(var + eps) over the last <paramref name="dims"/> dimensions, as one backend primitive
    /// with its own backward (the row statistics are saved), instead of eight element-wise and reduction ops.
    /// </summary>
    internal static Tensor NormalizeRows(Tensor x, int dims, double eps)
    {
        var shape = x.Shape;
        int d = 1;
        for (int i = x.Rank - dims; i < x.Rank; i++) d *= shape[i];
        int r = d == 0 ? 0 : x.Numel / d;
        var x2 = x.ReshapeNoGrad([r, d]);
        var y = x.NewEmpty([r, d]);
        var mean = x.NewEmpty([r]);
        var rstd = x.NewEmpty([r]);
        if (r > 0 && d > 0) x.Backend.LayerNorm(x2.View, y.View, mean.View, rstd.View, eps);
        var result = y.ReshapeNoGrad(shape);
        y.Dispose();
        return Tensor.Record(result, "LayerNorm", [x], [x2, mean, rstd], (g, s) =>
        {
            var g2 = g.ReshapeNoGrad([r, d]);
            var dx = g.NewEmpty([r, d]);
            if (r > 0 && d > 0) g.Backend.LayerNormBackward(s[0].View, s[1].View, s[2].View, g2.View, dx.View);
            return [dx.ReshapeNoGrad(shape)];
        });
    }
}
