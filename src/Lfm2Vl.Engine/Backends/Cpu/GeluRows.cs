using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Lfm2Vl.Engine.Backends.Cpu;

/// <summary>
/// Exact (erf) GELU and its gradient on contiguous float rows with SIMD vectors: the erf is the same rational
/// approximation as <see cref="ScalarMath.ErfFloat"/>, so vector and scalar paths agree to rounding. GELU sits on
/// the widest activation of a transformer MLP ([B, T, 4D]), where the scalar loop was a large share of a step.
/// </summary>
internal static class GeluRows
{
    private const float InvSqrt2 = 0.70710678118654752f;
    private const float InvSqrt2Pi = 0.39894228040143268f;
    private const int Chunk = 512;

    /// <summary>y = 0.5 x (1 + erf(x / sqrt 2)).</summary>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y)
    {
        int i = 0, w = Vector<float>.Count;
        var half = new Vector<float>(0.5f);
        var inv = new Vector<float>(InvSqrt2);
        for (; i <= x.Length - w; i += w)
        {
            var v = new Vector<float>(x.Slice(i, w));
            (half * v * (Vector<float>.One + Erf(v * inv))).CopyTo(y.Slice(i, w));
        }
        for (; i < x.Length; i++) y[i] = 0.5f * x[i] * (1f + ScalarMath.ErfFloat(x[i] * InvSqrt2));
    }

    /// <summary>dx = g (Phi(x) + x phi(x)), Phi the normal cdf, phi its density.</summary>
    public static void Backward(ReadOnlySpan<float> g, ReadOnlySpan<float> x, Span<float> dx)
    {
        Span<float> pdf = stackalloc float[Chunk];
        int w = Vector<float>.Count;
        var half = new Vector<float>(0.5f);
        var inv = new Vector<float>(InvSqrt2);
        for (int start = 0; start < x.Length; start += Chunk)
        {
            int n = Math.Min(Chunk, x.Length - start);
            var xs = x.Slice(start, n); var gs = g.Slice(start, n); var ds = dx.Slice(start, n); var p = pdf[..n];
            TensorPrimitives.Multiply(xs, xs, p);
            TensorPrimitives.Multiply(p, -0.5f, p);
            TensorPrimitives.Exp(p, p);
            int i = 0;
            for (; i <= n - w; i += w)
            {
                var v = new Vector<float>(xs.Slice(i, w));
                var cdf = half * (Vector<float>.One + Erf(v * inv));
                var d = cdf + v * new Vector<float>(p.Slice(i, w)) * new Vector<float>(InvSqrt2Pi);
                (new Vector<float>(gs.Slice(i, w)) * d).CopyTo(ds.Slice(i, w));
            }
            for (; i < n; i++)
            {
                float cdf = 0.5f * (1f + ScalarMath.ErfFloat(xs[i] * InvSqrt2));
                ds[i] = gs[i] * (cdf + xs[i] * InvSqrt2Pi * p[i]);
            }
        }
    }

    /// <summary>The vector form of <see cref="ScalarMath.ErfFloat"/> (NaN lanes stay NaN through the clamp-free polynomial path).</summary>
    private static Vector<float> Erf(Vector<float> x)
    {
        var c = Vector.Min(Vector.Max(x, new Vector<float>(-4f)), new Vector<float>(4f));
        c = Vector.ConditionalSelect(Vector.Equals(x, x), c, x);
        var x2 = c * c;
        var p = new Vector<float>(-2.72614225801306e-10f);
        p = p * x2 + new Vector<float>(2.77068142495902e-08f);
        p = p * x2 - new Vector<float>(2.10102402082508e-06f);
        p = p * x2 - new Vector<float>(5.69250639462346e-05f);
        p = p * x2 - new Vector<float>(7.34990630326855e-04f);
        p = p * x2 - new Vector<float>(2.95459980854025e-03f);
        p = p * x2 - new Vector<float>(1.60960333262415e-02f);
        var q = new Vector<float>(-1.45660718464996e-05f);
        q = q * x2 - new Vector<float>(2.13374055278905e-04f);
        q = q * x2 - new Vector<float>(1.68282697438203e-03f);
        q = q * x2 - new Vector<float>(7.37332916720468e-03f);
        q = q * x2 - new Vector<float>(1.42647390514189e-02f);
        return c * p / q;
    }

    public static ReadOnlySpan<float> F<T>(ReadOnlySpan<T> s) where T : unmanaged => MemoryMarshal.Cast<T, float>(s);
    public static Span<float> F<T>(Span<T> s) where T : unmanaged => MemoryMarshal.Cast<T, float>(s);
}
