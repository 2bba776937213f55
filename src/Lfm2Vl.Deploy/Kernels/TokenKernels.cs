using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Lfm2Vl.Deploy.Kernels;

/// <summary>
/// The transformer's row-wise steps on activations stored token-major, [tokens, features] (one token per row, so
/// LayerNorm and the attention softmax read contiguous rows): 16 features at a time in Vector512 registers, with a
/// scalar tail doing the same arithmetic.
/// </summary>
internal static unsafe class TokenKernels
{
    /// <summary>y[r, :] = LayerNorm(x[r, :]) * gamma + beta for rows r of x [rows, d] (row stride ld for x and y).</summary>
    public static void LayerNormRows(float* x, int d, int rows, int ld, float* gamma, float* beta, float eps, float* y)
    {
        float invD = 1f / d;
        for (int r = 0; r < rows; r++)
        {
            float* xr = x + (long)r * ld, yr = y + (long)r * ld;
            int j = 0;
            var sumV = Vector512<float>.Zero;
            for (; j + 16 <= d; j += 16) sumV += Vector512.Load(xr + j);
            float sum = Vector512.Sum(sumV);
            for (; j < d; j++) sum += xr[j];
            float mean = sum * invD;
            var meanV = Vector512.Create(mean);
            var sqV = Vector512<float>.Zero;
            for (j = 0; j + 16 <= d; j += 16)
            {
                var c = Vector512.Load(xr + j) - meanV;
                sqV = Vector512.FusedMultiplyAdd(c, c, sqV);
            }
            float sq = Vector512.Sum(sqV);
            for (; j < d; j++)
            {
                float c = xr[j] - mean;
                sq = MathF.FusedMultiplyAdd(c, c, sq);
            }
            float rstd = 1f / MathF.Sqrt(sq * invD + eps);
            var rstdV = Vector512.Create(rstd);
            for (j = 0; j + 16 <= d; j += 16)
            {
                var c = (Vector512.Load(xr + j) - meanV) * rstdV;
                Vector512.FusedMultiplyAdd(c, Vector512.Load(gamma + j), Vector512.Load(beta + j)).Store(yr + j);
            }
            for (; j < d; j++) yr[j] = MathF.FusedMultiplyAdd((xr[j] - mean) * rstd, gamma[j], beta[j]);
        }
    }

    /// <summary>
    /// Softmax over the first <paramref name="cols"/> entries of each row of s [rows, ld] (attention scores, already
    /// scaled). Where the stride leaves room for a whole vector past the last full one (the ViT's 32-column padding),
    /// the ragged tail is one masked vector; otherwise scalar (a scalar tail of 5 scores per row cost a fifth of the
    /// softmax at 197 tokens).
    /// </summary>
    public static void SoftmaxRows(float* s, int rows, int cols, int ld)
    {
        int full = cols & ~15, tail = cols - full;
        bool maskedTail = tail > 0 && full + 16 <= ld;
        var tailMask = Vector512.LessThan(Vector512.Create(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), Vector512.Create(tail)).AsSingle();
        var negInf = Vector512.Create(float.NegativeInfinity);
        for (int r = 0; r < rows; r++)
        {
            float* row = s + (long)r * ld;
            int j;
            var maxV = negInf;
            for (j = 0; j < full; j += 16) maxV = Vector512.Max(maxV, Vector512.Load(row + j));
            if (maskedTail) maxV = Vector512.Max(maxV, Vector512.ConditionalSelect(tailMask, Vector512.Load(row + full), negInf));
            var max4 = Vector128.Max(Vector256.Max(maxV.GetLower(), maxV.GetUpper()).GetLower(), Vector256.Max(maxV.GetLower(), maxV.GetUpper()).GetUpper());
            float max = MathF.Max(MathF.Max(max4.GetElement(0), max4.GetElement(1)), MathF.Max(max4.GetElement(2), max4.GetElement(3)));
            if (!maskedTail) for (j = full; j < cols; j++) max = MathF.Max(max, row[j]);
            var mv = Vector512.Create(max);
            var sumV = Vector512<float>.Zero;
            for (j = 0; j < full; j += 16)
            {
                var e = Exp(Vector512.Load(row + j) - mv);
                e.Store(row + j);
                sumV += e;
            }
            if (maskedTail)
            {
                var e = Vector512.ConditionalSelect(tailMask, Exp(Vector512.Load(row + full) - mv), Vector512<float>.Zero);
                e.Store(row + full); // the padding past cols becomes 0
                sumV += e;
            }
            float sum = Vector512.Sum(sumV);
            if (!maskedTail)
                for (j = full; j < cols; j++)
                {
                    float e = MathF.Exp(row[j] - max);
                    row[j] = e;
                    sum += e;
                }
            var iv = Vector512.Create(1f / sum);
            int vectorEnd = maskedTail ? full + 16 : full;
            for (j = 0; j < vectorEnd; j += 16) (Vector512.Load(row + j) * iv).Store(row + j);
            for (j = vectorEnd; j < cols; j++) row[j] *= 1f / sum;
        }
    }

    /// <summary>
    /// e^x for x &lt;= 0 (max-shifted scores) to about 2 float ulps: x = n ln2 + r with |r| &lt;= ln2 / 2, a degree-6
    /// polynomial for e^r, then n added to the exponent bits. Vector512.Exp took ~0.7 ns a score.
    /// Inputs below -87.3 (where e^x leaves the normal floats) are clamped there.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Exp(Vector512<float> x)
    {
        x = Vector512.Max(x, Vector512.Create(-87.33654f));
        var n = Vector512.Round(x * Vector512.Create(1.44269504088896341f));
        var r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-0.693359375f), x);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(2.12194440e-4f), r);
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(1.9875691500e-4f), r, Vector512.Create(1.3981999507e-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(8.3334519073e-3f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(4.1665795894e-2f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(1.6666665459e-1f));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(5.0000001201e-1f));
        p = Vector512.FusedMultiplyAdd(p, r * r, r + Vector512<float>.One);
        var scale = Vector512.ShiftLeft(Vector512.ConvertToInt32(n) + Vector512.Create(127), 23).AsSingle();
        return p * scale;
    }

    /// <summary>x = GELU(x) = x * Phi(x) in place.</summary>
    public static void GeluInPlace(float* x, long length)
    {
        long i = 0;
        for (; i + 16 <= length; i += 16) Gelu(Vector512.Load(x + i)).Store(x + i);
        for (; i < length; i++) x[i] = Gelu(x[i]);
    }

    private const float InvSqrt2 = 0.70710678118654752f;

    // erf(x) ~ x P(x^2) / Q(x^2) on [-4, 4] (clamped outside, where erf is +-1 in float): a rational fit with no exp,
    // the one the engine's GELU uses, within a few float ulps of the exact erf.
    private const float P0 = -1.60960333262415e-02f, P1 = -2.95459980854025e-03f, P2 = -7.34990630326855e-04f, P3 = -5.69250639462346e-05f,
        P4 = -2.10102402082508e-06f, P5 = 2.77068142495902e-08f, P6 = -2.72614225801306e-10f;
    private const float Q0 = -1.42647390514189e-02f, Q1 = -7.37332916720468e-03f, Q2 = -1.68282697438203e-03f, Q3 = -2.13374055278905e-04f,
        Q4 = -1.45660718464996e-05f;

    public static float Gelu(float v)
    {
        float c = Math.Clamp(v * InvSqrt2, -4f, 4f), x2 = c * c;
        float p = MathF.FusedMultiplyAdd(P6, x2, P5);
        p = MathF.FusedMultiplyAdd(p, x2, P4);
        p = MathF.FusedMultiplyAdd(p, x2, P3);
        p = MathF.FusedMultiplyAdd(p, x2, P2);
        p = MathF.FusedMultiplyAdd(p, x2, P1);
        p = MathF.FusedMultiplyAdd(p, x2, P0);
        float q = MathF.FusedMultiplyAdd(Q4, x2, Q3);
        q = MathF.FusedMultiplyAdd(q, x2, Q2);
        q = MathF.FusedMultiplyAdd(q, x2, Q1);
        q = MathF.FusedMultiplyAdd(q, x2, Q0);
        float half = 0.5f * v;
        return MathF.FusedMultiplyAdd(half, c * p / q, half);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Gelu(Vector512<float> v)
    {
        var c = Vector512.Min(Vector512.Max(v * Vector512.Create(InvSqrt2), Vector512.Create(-4f)), Vector512.Create(4f));
        var x2 = c * c;
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(P6), x2, Vector512.Create(P5));
        p = Vector512.FusedMultiplyAdd(p, x2, Vector512.Create(P4));
        p = Vector512.FusedMultiplyAdd(p, x2, Vector512.Create(P3));
        p = Vector512.FusedMultiplyAdd(p, x2, Vector512.Create(P2));
        p = Vector512.FusedMultiplyAdd(p, x2, Vector512.Create(P1));
        p = Vector512.FusedMultiplyAdd(p, x2, Vector512.Create(P0));
        var q = Vector512.FusedMultiplyAdd(Vector512.Create(Q4), x2, Vector512.Create(Q3));
        q = Vector512.FusedMultiplyAdd(q, x2, Vector512.Create(Q2));
        q = Vector512.FusedMultiplyAdd(q, x2, Vector512.Create(Q1));
        q = Vector512.FusedMultiplyAdd(q, x2, Vector512.Create(Q0));
        var half = Vector512.Create(0.5f) * v;
        return Vector512.FusedMultiplyAdd(half, c * p / q, half);
    }
}
