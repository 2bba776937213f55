using Lfm2Vl.Nn.Layers;

namespace Lfm2Vl.Deploy.Graph;

/// <summary>
/// Folds an eval-mode BatchNorm into the convolution before it: with s = gamma / sqrt(var + eps),
/// W'[o] = W[o] * s[o] and b'[o] = beta[o] + (b[o] - mean[o]) * s[o]. Computed in float64 and rounded once,
/// so the folded conv differs from conv-then-BN only by float32 rounding of the result.
/// </summary>
public static class BatchNormFolding
{
    public static (float[] Weight, float[] Bias) Fold(Conv2d conv, BatchNorm2d? bn)
    {
        var (w, b) = FoldDouble(conv, bn);
        return (Array.ConvertAll(w, v => (float)v), Array.ConvertAll(b, v => (float)v));
    }

    /// <summary>The folded weight [OC, C, k, k] and bias [OC] in float64 (before the single rounding to float32).</summary>
    public static (double[] Weight, double[] Bias) FoldDouble(Conv2d conv, BatchNorm2d? bn)
    {
        if (conv.Groups != 1 || conv.Dilation != 1)
            throw new NotSupportedException($"Only dense, undilated convolutions are lowered; got {conv.TypeName}.");
        double[] w = conv.Weight.Data.ToDoubleArray();
        double[] b = conv.Bias is { } cb ? cb.Data.ToDoubleArray() : new double[conv.OutChannels];
        if (bn is not null)
        {
            if (bn.Channels != conv.OutChannels)
                throw new ArgumentException($"{bn.TypeName} does not follow {conv.TypeName}: channel counts differ.");
            double[] mean = bn.RunningMean.ToDoubleArray(), variance = bn.RunningVar.ToDoubleArray();
            double[]? gamma = bn.Weight?.Data.ToDoubleArray(), beta = bn.Bias?.Data.ToDoubleArray();
            int per = w.Length / conv.OutChannels;
            for (int o = 0; o < conv.OutChannels; o++)
            {
                double s = (gamma?[o] ?? 1.0) / Math.Sqrt(variance[o] + bn.Eps);
                for (int i = 0; i < per; i++) w[o * per + i] *= s;
                b[o] = (beta?[o] ?? 0.0) + (b[o] - mean[o]) * s;
            }
        }
        return (w, b);
    }

    /// <summary>The lowered node for a conv (and optional BatchNorm) with a fused activation.</summary>
    public static ConvNode Lower(Conv2d conv, BatchNorm2d? bn, string input, string output, Activation act)
    {
        var (w, b) = Fold(conv, bn);
        return new ConvNode(input, output, w, conv.OutChannels, conv.InChannels, conv.KernelSize, conv.Stride, conv.Padding, b, act);
    }
}
