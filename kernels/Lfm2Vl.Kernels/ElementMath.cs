using System.Runtime.CompilerServices;

namespace Lfm2Vl.Kernels;

/// <summary>Scalar definitions of the element-wise ops, generic over the float type (mirrors the CPU backend).</summary>
public static class ElementMath
{
    private const double SqrtTwoOverPi = 0.7978845608028654;
    private const double GeluC = 0.044715;
    private const double InvSqrt2 = 0.7071067811865476;
    private const double InvSqrt2Pi = 0.3989422804014327;
    private const double TwoOverSqrtPi = 1.1283791670955126;
    private const double InvSqrtPi = 0.5641895835477563;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Sigmoid<T, O>(T x) where T : unmanaged where O : struct, INum<T>
    {
        O o = default;
        // Stable for large |x|: never exponentiates a large positive number.
        if (o.Ge(x, o.Zero)) return o.Div(o.One, o.Add(o.One, o.Exp(o.Neg(x))));
        T e = o.Exp(x);
        return o.Div(e, o.Add(o.One, e));
    }

    /// <summary>erf by its Taylor series (|x| &lt; 2.5, all terms positive) or the continued fraction of erfc.</summary>
    public static T Erf<T, O>(T x) where T : unmanaged where O : struct, INum<T>
    {
        O o = default;
        if (o.IsNaN(x)) return x;
        T ax = o.Abs(x);
        T r;
        if (o.Gt(ax, o.Of(6.0))) r = o.One;
        else if (o.Lt(ax, o.Of(2.5)))
        {
            T x2 = o.Mul(ax, ax), term = ax, sum = ax;
            for (int n = 1; n < 200; n++)
            {
                term = o.Mul(term, o.Div(o.Mul(o.Of(2.0), x2), o.OfInt(2 * n + 1)));
                sum = o.Add(sum, term);
                if (o.Lt(term, o.Mul(sum, o.Epsilon))) break;
            }
            r = o.Mul(o.Mul(o.Of(TwoOverSqrtPi), o.Exp(o.Neg(x2))), sum);
        }
        else
        {
            T tiny = o.Of(1e-30);
            T f = ax, c = ax, d = o.Zero;
            for (int n = 1; n < 300; n++)
            {
                T an = o.Of(n * 0.5);
                d = o.Add(ax, o.Mul(an, d));
                if (o.Lt(o.Abs(d), tiny)) d = tiny;
                d = o.Div(o.One, d);
                c = o.Add(ax, o.Div(an, c));
                if (o.Lt(o.Abs(c), tiny)) c = tiny;
                T delta = o.Mul(c, d);
                f = o.Mul(f, delta);
                if (o.Lt(o.Abs(o.Sub(delta, o.One)), o.Of(1e-15))) break;
            }
            r = o.Sub(o.One, o.Div(o.Mul(o.Exp(o.Neg(o.Mul(ax, ax))), o.Of(InvSqrtPi)), f));
        }
        return o.Lt(x, o.Zero) ? o.Neg(r) : r;
    }

    public static T Unary<T, O>(int op, T x, T a, T b) where T : unmanaged where O : struct, INum<T>
    {
        O o = default;
        switch (op)
        {
            case UnaryCode.Identity: return x;
            case UnaryCode.Neg: return o.Neg(x);
            case UnaryCode.Exp: return o.Exp(x);
            case UnaryCode.Log: return o.Log(x);
            case UnaryCode.Sqrt: return o.Sqrt(x);
            case UnaryCode.Rsqrt: return o.Div(o.One, o.Sqrt(x));
            case UnaryCode.Abs: return o.Abs(x);
            case UnaryCode.Sign: return o.IsNaN(x) ? x : o.Gt(x, o.Zero) ? o.One : o.Lt(x, o.Zero) ? o.Neg(o.One) : o.Zero;
            case UnaryCode.Square: return o.Mul(x, x);
            case UnaryCode.Reciprocal: return o.Div(o.One, x);
            case UnaryCode.PowScalar: return o.Pow(x, a);
            case UnaryCode.AddScalar: return o.Add(x, a);
            case UnaryCode.MulScalar: return o.Mul(x, a);
            case UnaryCode.Clamp:
                {
                    // min(max(x, a), b) with NaN propagation, as Math.Max/Min do.
                    if (o.IsNaN(x)) return x;
                    T lo = o.Lt(x, a) ? a : x;
                    return o.Gt(lo, b) ? b : lo;
                }
            case UnaryCode.Relu: return o.Gt(x, o.Zero) ? x : o.Zero;
            case UnaryCode.LeakyRelu: return o.Gt(x, o.Zero) ? x : o.Mul(a, x);
            case UnaryCode.Sigmoid: return Sigmoid<T, O>(x);
            case UnaryCode.Tanh: return o.Tanh(x);
            case UnaryCode.GeluTanh:
                {
                    T inner = o.Mul(o.Of(SqrtTwoOverPi), o.Add(x, o.Mul(o.Of(GeluC), o.Mul(x, o.Mul(x, x)))));
                    return o.Mul(o.Mul(o.Of(0.5), x), o.Add(o.One, o.Tanh(inner)));
                }
            case UnaryCode.GeluErf:
                return o.Mul(o.Mul(o.Of(0.5), x), o.Add(o.One, Erf<T, O>(o.Mul(x, o.Of(InvSqrt2)))));
            case UnaryCode.Silu: return o.Mul(x, Sigmoid<T, O>(x));
            default: return o.NaN;
        }
    }

    public static T Binary<T, O>(int op, T x, T y, T a, T b) where T : unmanaged where O : struct, INum<T>
    {
        O o = default;
        switch (op)
        {
            case BinaryCode.Add: return o.Add(x, y);
            case BinaryCode.Sub: return o.Sub(x, y);
            case BinaryCode.Mul: return o.Mul(x, y);
            case BinaryCode.Div: return o.Div(x, y);
            case BinaryCode.Pow: return o.Pow(x, y);
            case BinaryCode.Maximum: return o.IsNaN(x) || o.IsNaN(y) ? o.NaN : o.Gt(y, x) ? y : x;
            case BinaryCode.Minimum: return o.IsNaN(x) || o.IsNaN(y) ? o.NaN : o.Lt(y, x) ? y : x;
            case BinaryCode.Equal: return o.Eq(x, y) ? o.One : o.Zero;
            case BinaryCode.Greater: return o.Gt(x, y) ? o.One : o.Zero;
            case BinaryCode.Less: return o.Lt(x, y) ? o.One : o.Zero;
            case BinaryCode.ReluGrad: return o.Gt(y, o.Zero) ? x : o.Zero;
            case BinaryCode.LeakyReluGrad: return o.Gt(y, o.Zero) ? x : o.Mul(x, a);
            case BinaryCode.SigmoidGrad: return o.Mul(o.Mul(x, y), o.Sub(o.One, y));
            case BinaryCode.TanhGrad: return o.Mul(x, o.Sub(o.One, o.Mul(y, y)));
            case BinaryCode.GeluTanhGrad:
                {
                    T c = o.Of(SqrtTwoOverPi), half = o.Of(0.5);
                    T t = o.Tanh(o.Mul(c, o.Add(y, o.Mul(o.Of(GeluC), o.Mul(y, o.Mul(y, y))))));
                    T d = o.Add(o.Mul(half, o.Add(o.One, t)),
                        o.Mul(o.Mul(o.Mul(half, y), o.Sub(o.One, o.Mul(t, t))), o.Mul(c, o.Add(o.One, o.Mul(o.Of(3 * GeluC), o.Mul(y, y))))));
                    return o.Mul(x, d);
                }
            case BinaryCode.GeluErfGrad:
                {
                    T cdf = o.Mul(o.Of(0.5), o.Add(o.One, Erf<T, O>(o.Mul(y, o.Of(InvSqrt2)))));
                    T pdf = o.Mul(o.Of(InvSqrt2Pi), o.Exp(o.Neg(o.Mul(o.Of(0.5), o.Mul(y, y)))));
                    return o.Mul(x, o.Add(cdf, o.Mul(y, pdf)));
                }
            case BinaryCode.SiluGrad:
                {
                    T s = Sigmoid<T, O>(y);
                    return o.Mul(o.Mul(x, s), o.Add(o.One, o.Mul(y, o.Sub(o.One, s))));
                }
            case BinaryCode.ClampGrad: return o.Ge(y, a) && o.Le(y, b) ? x : o.Zero;
            default: return o.NaN;
        }
    }

    /// <summary>Reduction step: sum, or max/min that propagate NaN (as TensorPrimitives does).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Combine<T, O>(int op, T acc, T v) where T : unmanaged where O : struct, INum<T>
    {
        O o = default;
        if (op == ReduceCode.Sum) return o.Add(acc, v);
        if (o.IsNaN(acc)) return acc;
        if (o.IsNaN(v)) return v;
        if (op == ReduceCode.Max) return o.Gt(v, acc) ? v : acc;
        return o.Lt(v, acc) ? v : acc;
    }
}
