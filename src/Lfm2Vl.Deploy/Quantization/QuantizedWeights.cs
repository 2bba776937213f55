using Lfm2Vl.Deploy.Graph;

namespace Lfm2Vl.Deploy.Quantization;

/// <summary>
/// Per-output-channel symmetric int8 weights: W[o] ~ Scale[o] * Q[o] with Q in [-127, 127] and
/// Scale[o] = max|W[o]| / 127. <see cref="RowSums"/> (sum of Q[o]) corrects for the activations' zero point.
/// </summary>
public sealed class QuantizedWeights
{
    private QuantizedWeights(sbyte[] values, float[] scales, int[] rowSums)
    {
        Values = values;
        Scales = scales;
        RowSums = rowSums;
    }

    public sbyte[] Values { get; }
    public float[] Scales { get; }
    public int[] RowSums { get; }

    public static QuantizedWeights Quantize(ConvNode conv) => Quantize(conv.Weight, conv.OutChannels, conv.ReductionSize);

    public static QuantizedWeights Quantize(LinearNode linear) => Quantize(linear.Weight, linear.OutFeatures, linear.InFeatures);

    /// <summary>Quantizes a row-major [m, k] matrix row by row.</summary>
    public static QuantizedWeights Quantize(float[] weight, int m, int k)
    {
        var q = new sbyte[m * k];
        var scales = new float[m];
        var sums = new int[m];
        for (int o = 0; o < m; o++)
        {
            var row = weight.AsSpan(o * k, k);
            float maxAbs = 0;
            foreach (var v in row) maxAbs = Math.Max(maxAbs, Math.Abs(v));
            float scale = maxAbs > 0 ? maxAbs / 127f : 1f;
            scales[o] = scale;
            for (int i = 0; i < k; i++)
            {
                int v = Math.Clamp((int)MathF.Round(row[i] / scale), -127, 127);
                q[o * k + i] = (sbyte)v;
                sums[o] += v;
            }
        }
        return new QuantizedWeights(q, scales, sums);
    }
}
