using System.Numerics;

namespace Lfm2Vl.Engine.Backends.Cpu;

/// <summary>Scalar definitions of every element-wise op: the reference the vectorized paths must match.</summary>
internal static class ScalarMath
{
    private const double SqrtTwoOverPi = 0.7978845608028654;
    private const double GeluC = 0.044715;
    private const double InvSqrt2 = 0.7071067811865476;
    private const double InvSqrt2Pi = 0.3989422804014327;

    public static T Unary<T>(UnaryOp op, T x, T a, T b) where T : IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case UnaryOp.Identity: return x;
            case UnaryOp.Neg: return -x;
            case UnaryOp.Exp: return T.Exp(x);
            case UnaryOp.Log: return T.Log(x);
            case UnaryOp.Sqrt: return T.Sqrt(x);
            case UnaryOp.Rsqrt: return T.One / T.Sqrt(x);
            case UnaryOp.Abs: return T.Abs(x);
            case UnaryOp.Sign: return T.IsNaN(x) ? x : T.CreateTruncating(T.Sign(x));
            case UnaryOp.Square: return x * x;
            case UnaryOp.Reciprocal: return T.One / x;
            case UnaryOp.PowScalar: return T.Pow(x, a);
            case UnaryOp.AddScalar: return x + a;
            case UnaryOp.MulScalar: return x * a;
            case UnaryOp.Clamp: return T.Min(T.Max(x, a), b);
            case UnaryOp.Relu: return x > T.Zero ? x : T.Zero;
            case UnaryOp.LeakyRelu: return x > T.Zero ? x : a * x;
            case UnaryOp.Sigmoid: return Sigmoid(x);
            case UnaryOp.Tanh: return T.Tanh(x);
            case UnaryOp.GeluTanh:
                {
                    T c = T.CreateTruncating(SqrtTwoOverPi), k = T.CreateTruncating(GeluC), half = T.CreateTruncating(0.5);
                    return half * x * (T.One + T.Tanh(c * (x + k * x * x * x)));
                }
            case UnaryOp.GeluErf:
                return T.CreateTruncating(0.5) * x * (T.One + Erf(x * T.CreateTruncating(InvSqrt2)));
            case UnaryOp.Silu: return x * Sigmoid(x);
            default: throw new NotSupportedException($"Unary op {op}.");
        }
    }

    public static T Binary<T>(BinaryOp op, T x, T y, T a, T b) where T : IFloatingPointIeee754<T>
    {
        switch (op)
        {
            case BinaryOp.Add: return x + y;
            case BinaryOp.Sub: return x - y;
            case BinaryOp.Mul: return x * y;
            case BinaryOp.Div: return x / y;
            case BinaryOp.Pow: return T.Pow(x, y);
            case BinaryOp.Maximum: return T.IsNaN(x) || T.IsNaN(y) ? T.NaN : T.Max(x, y);
            case BinaryOp.Minimum: return T.IsNaN(x) || T.IsNaN(y) ? T.NaN : T.Min(x, y);
            case BinaryOp.Equal: return x == y ? T.One : T.Zero;
            case BinaryOp.Greater: return x > y ? T.One : T.Zero;
            case BinaryOp.Less: return x < y ? T.One : T.Zero;
            case BinaryOp.ReluGrad: return y > T.Zero ? x : T.Zero;
            case BinaryOp.LeakyReluGrad: return y > T.Zero ? x : x * a;
            case BinaryOp.SigmoidGrad: return x * y * (T.One - y);
            case BinaryOp.TanhGrad: return x * (T.One - y * y);
            case BinaryOp.GeluTanhGrad:
                {
                    T c = T.CreateTruncating(SqrtTwoOverPi), k = T.CreateTruncating(GeluC), half = T.CreateTruncating(0.5);
                    T t = T.Tanh(c * (y + k * y * y * y));
                    T d = half * (T.One + t) + half * y * (T.One - t * t) * c * (T.One + T.CreateTruncating(3 * GeluC) * y * y);
                    return x * d;
                }
            case BinaryOp.GeluErfGrad:
                {
                    T cdf = T.CreateTruncating(0.5) * (T.One + Erf(y * T.CreateTruncating(InvSqrt2)));
                    T pdf = T.CreateTruncating(InvSqrt2Pi) * T.Exp(-T.CreateTruncating(0.5) * y * y);
                    return x * (cdf + y * pdf);
                }
            case BinaryOp.SiluGrad:
                {
                    T s = Sigmoid(y);
                    return x * s * (T.One + y * (T.One - s));
                }
            case BinaryOp.ClampGrad: return y >= a && y <= b ? x : T.Zero;
            default: throw new NotSupportedException($"Binary op {op}.");
        }
    }

    public static T Sigmoid<T>(T x) where T : IFloatingPointIeee754<T>
    {
        // Stable for large |x|: never exponentiates a large positive number.
        if (x >= T.Zero) return T.One / (T.One + T.Exp(-x));
        T e = T.Exp(x);
        return e / (T.One + e);
    }

    /// <summary>
    /// The error function: in float a rational approximation (a few ulp, no loop), in double the series /
    /// continued fraction below (a few ulp in double, used by the float64 gradient checks).
    /// </summary>
    public static T Erf<T>(T x) where T : IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float)) return T.CreateTruncating(ErfFloat(float.CreateTruncating(x)));
        return T.CreateTruncating(Erf(double.CreateTruncating(x)));
    }

    /// <summary>
    /// Float erf as odd/even polynomials in x (Eigen's generic_fast_erf_float coefficients), clamped to
    /// [-4, 4] where erf already rounds to +-1 in float. Max abs error 4.2e-7 over [-6, 6] against the exact
    /// erf. The double series needs up to dozens of iterations per element and made exact GELU the most
    /// expensive op of a ViT training step.
    /// </summary>
    public static float ErfFloat(float x)
    {
        if (float.IsNaN(x)) return x;
        x = Math.Clamp(x, -4f, 4f);
        float x2 = x * x;
        float p = -2.72614225801306e-10f;
        p = p * x2 + 2.77068142495902e-08f;
        p = p * x2 - 2.10102402082508e-06f;
        p = p * x2 - 5.69250639462346e-05f;
        p = p * x2 - 7.34990630326855e-04f;
        p = p * x2 - 2.95459980854025e-03f;
        p = p * x2 - 1.60960333262415e-02f;
        float q = -1.45660718464996e-05f;
        q = q * x2 - 2.13374055278905e-04f;
        q = q * x2 - 1.68282697438203e-03f;
        q = q * x2 - 7.37332916720468e-03f;
        q = q * x2 - 1.42647390514189e-02f;
        return x * p / q;
    }

    public static double Erf(double x)
    {
        if (double.IsNaN(x)) return x;
        double ax = Math.Abs(x);
        if (ax > 6.0) return Math.Sign(x);
        double r;
        if (ax < 2.5)
        {
            // erf(x) = 2/sqrt(pi) * exp(-x^2) * sum_n (2x^2)^n x / (1*3*...*(2n+1)): all terms positive, no cancellation.
            double x2 = ax * ax, term = ax, sum = ax;
            for (int n = 1; n < 200; n++)
            {
                term *= 2 * x2 / (2 * n + 1);
                sum += term;
                if (term < sum * 1e-17) break;
            }
            r = 2.0 / Math.Sqrt(Math.PI) * Math.Exp(-x2) * sum;
        }
        else
        {
            // erfc by its continued fraction (modified Lentz), converges fast for x >= 2.5.
            double tiny = 1e-300;
            double f = ax, c = ax, d = 0;
            for (int n = 1; n < 300; n++)
            {
                double an = n / 2.0;
                d = ax + an * d; if (Math.Abs(d) < tiny) d = tiny; d = 1 / d;
                c = ax + an / c; if (Math.Abs(c) < tiny) c = tiny;
                double delta = c * d;
                f *= delta;
                if (Math.Abs(delta - 1) < 1e-16) break;
            }
            r = 1.0 - Math.Exp(-ax * ax) / Math.Sqrt(Math.PI) / f;
        }
        return x < 0 ? -r : r;
    }
}
