using System.Runtime.Intrinsics;

namespace Lfm2Vl.Deploy.Kernels;

/// <summary>
/// The transformer's element-wise steps on activations stored feature-major, [features, tokens] (one token per
/// column, so every linear layer is W x with the packed GEMM). Each kernel runs 16 columns at a time in Vector512
/// registers with a scalar tail doing the same arithmetic.
/// </summary>
internal static unsafe class TokenKernels
{
    /// <summary>y[:, t] = LayerNorm(x[:, t]) * gamma + beta for every column t of x [d, cols] (row stride ld).</summary>
    public static void LayerNormColumns(float* x, int d, int cols, int ld, float* gamma, float* beta, float eps, float* y)
    {
        int j = 0;
        float invD = 1f / d;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; j + 16 <= cols; j += 16)
            {
                var sum = Vector512<float>.Zero;
                for (int r = 0; r < d; r++) sum += Vector512.Load(x + (long)r * ld + j);
                var mean = sum * invD;
                var sq = Vector512<float>.Zero;
                for (int r = 0; r < d; r++)
                {
                    var c = Vector512.Load(x + (long)r * ld + j) - mean;
                    sq = Vector512.FusedMultiplyAdd(c, c, sq);
                }
                var rstd = Vector512<float>.One / Vector512.Sqrt(sq * invD + Vector512.Create(eps));
                for (int r = 0; r < d; r++)
                {
                    var c = (Vector512.Load(x + (long)r * ld + j) - mean) * rstd;
                    Vector512.FusedMultiplyAdd(c, Vector512.Create(gamma[r]), Vector512.Create(beta[r])).Store(y + (long)r * ld + j);
                }
            }
        }
        for (; j < cols; j++)
        {
            float sum = 0;
            for (int r = 0; r < d; r++) sum += x[(long)r * ld + j];
            float mean = sum * invD, sq = 0;
            for (int r = 0; r < d; r++)
            {
                float c = x[(long)r * ld + j] - mean;
                sq = MathF.FusedMultiplyAdd(c, c, sq);
            }
            float rstd = 1f / MathF.Sqrt(sq * invD + eps);
            for (int r = 0; r < d; r++) y[(long)r * ld + j] = MathF.FusedMultiplyAdd((x[(long)r * ld + j] - mean) * rstd, gamma[r], beta[r]);
        }
    }

    /// <summary>
    /// Softmax over each column of s [rows, cols] (row stride ld) after scaling by <paramref name="scale"/>: the
    /// attention scores stored as S^T [keys, queries], so a query's distribution is one column.
    /// </summary>
    public static void SoftmaxColumns(float* s, int rows, int cols, int ld, float scale)
    {
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var vs = Vector512.Create(scale);
            for (; j + 16 <= cols; j += 16)
            {
                var max = Vector512.Create(float.NegativeInfinity);
                for (int r = 0; r < rows; r++) max = Vector512.Max(max, Vector512.Load(s + (long)r * ld + j));
                var sum = Vector512<float>.Zero;
                for (int r = 0; r < rows; r++)
                {
                    var e = Vector512.Exp((Vector512.Load(s + (long)r * ld + j) - max) * vs);
                    e.Store(s + (long)r * ld + j);
                    sum += e;
                }
                var inv = Vector512<float>.One / sum;
                for (int r = 0; r < rows; r++) (Vector512.Load(s + (long)r * ld + j) * inv).Store(s + (long)r * ld + j);
            }
        }
        for (; j < cols; j++)
        {
            float max = float.NegativeInfinity;
            for (int r = 0; r < rows; r++) max = MathF.Max(max, s[(long)r * ld + j]);
            float sum = 0;
            for (int r = 0; r < rows; r++)
            {
                float e = MathF.Exp((s[(long)r * ld + j] - max) * scale);
                s[(long)r * ld + j] = e;
                sum += e;
            }
            float inv = 1f / sum;
            for (int r = 0; r < rows; r++) s[(long)r * ld + j] *= inv;
        }
    }

    /// <summary>x = GELU(x) = x * Phi(x) in place, with erf from Abramowitz and Stegun 7.1.26 (|error| below 1.5e-7).</summary>
    public static void GeluInPlace(float* x, long length)
    {
        long i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + 16 <= length; i += 16) Gelu(Vector512.Load(x + i)).Store(x + i);
        }
        for (; i < length; i++) x[i] = Gelu(x[i]);
    }

    private const float P = 0.3275911f, A1 = 0.254829592f, A2 = -0.284496736f, A3 = 1.421413741f, A4 = -1.453152027f, A5 = 1.061405429f;
    private const float InvSqrt2 = 0.70710678118654752f;

    public static float Gelu(float v)
    {
        float z = MathF.Abs(v) * InvSqrt2;
        float t = 1f / (1f + P * z);
        float poly = ((((A5 * t + A4) * t + A3) * t + A2) * t + A1) * t;
        float erf = 1f - poly * MathF.Exp(-z * z);
        return 0.5f * v * (1f + (v < 0 ? -erf : erf));
    }

    private static Vector512<float> Gelu(Vector512<float> v)
    {
        var z = Vector512.Abs(v) * Vector512.Create(InvSqrt2);
        var t = Vector512<float>.One / (Vector512<float>.One + Vector512.Create(P) * z);
        var poly = ((((Vector512.Create(A5) * t + Vector512.Create(A4)) * t + Vector512.Create(A3)) * t + Vector512.Create(A2)) * t + Vector512.Create(A1)) * t;
        var erf = Vector512<float>.One - poly * Vector512.Exp(-(z * z));
        var signed = Vector512.ConditionalSelect(Vector512.LessThan(v, Vector512<float>.Zero), -erf, erf);
        return Vector512.Create(0.5f) * v * (Vector512<float>.One + signed);
    }
}
