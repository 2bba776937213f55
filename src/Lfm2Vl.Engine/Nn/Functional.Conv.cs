namespace Lfm2Vl.Engine;

/// <summary>
/// Neural-network operations (as torch.nn.functional). Each op with a backend primitive records its backward
/// beside its forward; the rest are compositions of differentiable ops and get their gradients for free.
/// </summary>
public static partial class Functional
{
    /// <summary>2-D convolution over NCHW input with a [OC, C/groups, KH, KW] weight.</summary>
    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int dilation = 1, int groups = 1)
        => Conv2d(x, weight, bias, (stride, stride), (padding, padding), (dilation, dilation), groups);

    public static Tensor Conv2d(Tensor x, Tensor weight, Tensor? bias, (int H, int W) stride, (int H, int W) padding, (int H, int W) dilation, int groups = 1)
    {
        Tensor.CheckSameDevice("conv2d", x, weight);
        if (x.Rank != 4) throw new ArgumentException($"Conv2d expects NCHW input, got shape {ShapeUtil.Format(x.Dims)}.");
        if (weight.Rank != 4) throw new ArgumentException($"Conv2d expects a [OC, C/groups, KH, KW] weight, got {ShapeUtil.Format(weight.Dims)}.");
        if (groups < 1 || x.Dims[1] != weight.Dims[1] * groups || weight.Dims[0] % groups != 0)
            throw new ArgumentException($"Conv2d: input has {x.Dims[1]} channels but the weight {ShapeUtil.Format(weight.Dims)} with groups={groups} expects {weight.Dims[1] * groups}.");
        if (bias is not null && (bias.Rank != 1 || bias.Dims[0] != weight.Dims[0]))
            throw new ArgumentException($"Conv2d: bias must have shape [{weight.Dims[0]}], got {ShapeUtil.Format(bias.Dims)}.");
        if (stride.H < 1 || stride.W < 1 || dilation.H < 1 || dilation.W < 1 || padding.H < 0 || padding.W < 0)
            throw new ArgumentException("Conv2d: stride and dilation must be >= 1 and padding >= 0.");
        var p = new Conv2dParams(stride.H, stride.W, padding.H, padding.W, dilation.H, dilation.W, groups);
        int oh = p.OutH(x.Dims[2], weight.Dims[2]), ow = p.OutW(x.Dims[3], weight.Dims[3]);
        if (oh <= 0 || ow <= 0)
            throw new ArgumentException($"Conv2d: a {weight.Dims[2]}x{weight.Dims[3]} kernel does not fit the {x.Dims[2]}x{x.Dims[3]} input with padding {padding}.");

        using var xc = x.IsContiguous ? null : x.ContiguousCopy();
        using var wc = weight.IsContiguous ? null : weight.ContiguousCopy();
        var xin = xc ?? x; var win = wc ?? weight;
        var y = x.NewEmpty([x.Dims[0], weight.Dims[0], oh, ow]);
        x.Backend.Conv2d(xin.View, win.View, bias?.View, y.View, p);
        var xShape = x.Shape; var wShape = weight.Shape;
        return Tensor.Record(y, "Conv2d", [x, weight, bias], [xin, win], (g, s) =>
        {
            using var gc = g.IsContiguous ? null : g.ContiguousCopy();
            var gy = gc ?? g;
            Tensor? dx = null, dw = null, db = null;
            if (x.RequiresGrad)
            {
                dx = g.NewEmpty(xShape);
                g.Backend.Conv2dBackwardInput(gy.View, s[1].View, dx.View, p);
            }
            if (weight.RequiresGrad)
            {
                dw = g.NewEmpty(wShape);
                g.Backend.Conv2dBackwardWeight(s[0].View, gy.View, dw.View, p);
            }
            if (bias is { RequiresGrad: true })
            {
                // Contiguous row sums over each plane, then over the batch: several times faster than one
                // reduction over axes (0, 2, 3).
                int n = gy.Dims[0], oc = gy.Dims[1];
                db = gy.Reshape([n * oc, gy.Dims[2] * gy.Dims[3]]).Sum([1]).Reshape([n, oc]).Sum([0]);
            }
            return [dx, dw, db];
        });
    }
}
