namespace Lfm2Vl.Engine;

// Normalization layers as compositions of differentiable ops (their gradients come from the primitives); LayerNorm's
// normalization is one primitive with its own backward (Functional.LayerNormRows.cs).
public static partial class Functional
{
    /// <summary>
    /// Batch normalization over every axis but 1 (channels). In training, batch statistics are used and the
    /// running statistics (if given) are updated in place with momentum (the variance unbiased, as in PyTorch);
    /// in evaluation the running statistics are used.
    /// </summary>
    public static Tensor BatchNorm(Tensor x, Tensor? runningMean, Tensor? runningVar, Tensor? weight, Tensor? bias,
        bool training, double momentum = 0.1, double eps = 1e-5)
    {
        if (x.Rank < 2) throw new ArgumentException($"BatchNorm expects [N, C, ...] input, got {ShapeUtil.Format(x.Dims)}.");
        int c = x.Dims[1];
        var axes = Enumerable.Range(0, x.Rank).Where(d => d != 1).ToArray();
        var statShape = Enumerable.Range(0, x.Rank).Select(d => d == 1 ? c : 1).ToArray();
        Tensor y;
        if (training || runningMean is null || runningVar is null)
        {
            int count = x.Numel / Math.Max(c, 1);
            if (training && count <= 1)
                throw new ArgumentException($"BatchNorm in training needs more than one value per channel, got input {ShapeUtil.Format(x.Dims)}; use a batch size above 1 or Eval().");
            var mean = x.Mean(axes, keepDim: true);
            var centered = x - mean;
            var variance = centered.Square().Mean(axes, keepDim: true);
            y = centered * (variance + eps).Rsqrt();
            if (training && runningMean is not null && runningVar is not null)
            {
                using var _ = GradMode.NoGrad();
                using var m = mean.Detach().Reshape(c);
                using var v = variance.Detach().Reshape(c);
                runningMean.MulInPlace(1 - momentum).AddInPlace(m, momentum);
                runningVar.MulInPlace(1 - momentum).AddInPlace(v, momentum * count / (count - 1.0));
            }
        }
        else
        {
            // Evaluation: the statistics are constants, so the whole layer is one per-channel scale and shift,
            // folded on the [C] vectors first; the full-size input then goes through two ops instead of four.
            // (Still a composition of differentiable ops: gradients reach x, weight and bias as before.)
            var scale = (runningVar + eps).Rsqrt();
            if (weight is not null) scale = scale * weight;
            var shift = runningMean * scale;
            shift = bias is not null ? bias - shift : -shift;
            return x * scale.Reshape(statShape) + shift.Reshape(statShape);
        }
        if (weight is not null) y = y * weight.Reshape(statShape);
        if (bias is not null) y = y + bias.Reshape(statShape);
        return y;
    }

    /// <summary>Layer normalization over the last <paramref name="normalizedDims"/> dimensions.</summary>
    public static Tensor LayerNorm(Tensor x, int normalizedDims = 1, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
    {
        if (normalizedDims < 1 || normalizedDims > x.Rank) throw new ArgumentException($"LayerNorm over {normalizedDims} dims of a rank-{x.Rank} tensor.");
        var y = NormalizeRows(x, normalizedDims, eps);
        if (weight is not null) y = y * weight;
        if (bias is not null) y = y + bias;
        return y;
    }

    /// <summary>Group normalization: channels split into groups, each normalized over its channels and space.</summary>
    public static Tensor GroupNorm(Tensor x, int groups, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5)
    {
        if (x.Rank < 2) throw new ArgumentException($"GroupNorm expects [N, C, ...] input, got {ShapeUtil.Format(x.Dims)}.");
        int n = x.Dims[0], c = x.Dims[1];
        if (groups < 1 || c % groups != 0) throw new ArgumentException($"GroupNorm: {c} channels cannot be split into {groups} groups.");
        var shape = x.Shape;
        var grouped = x.Reshape(n, groups, -1);
        var mean = grouped.Mean(2, keepDim: true);
        var centered = grouped - mean;
        var variance = centered.Square().Mean(2, keepDim: true);
        var y = (centered * (variance + eps).Rsqrt()).Reshape(shape);
        var statShape = Enumerable.Range(0, x.Rank).Select(d => d == 1 ? c : 1).ToArray();
        if (weight is not null) y = y * weight.Reshape(statShape);
        if (bias is not null) y = y + bias.Reshape(statShape);
        return y;
    }

    /// <summary>Inverted dropout: zeroes elements with probability p in training and scales the rest by 1/(1-p).</summary>
    public static Tensor Dropout(Tensor x, double p, bool training, Generator generator)
    {
        if (p < 0 || p > 1) throw new ArgumentOutOfRangeException(nameof(p), $"Dropout probability must be in [0, 1], got {p}.");
        if (!training || p == 0) return x;
        if (p == 1) return x * 0.0;
        var keep = new double[x.Numel];
        double scale = 1.0 / (1 - p);
        for (int i = 0; i < keep.Length; i++) keep[i] = generator.NextDouble() >= p ? scale : 0;
        using var mask = Tensor.FromDoubles(keep, x.Shape, x.DType, x.Device);
        return x * mask;
    }
}
