using System.Runtime.CompilerServices;

namespace Lfm2Vl.Kernels;

/// <summary>Values that can be summed: every element type a scatter-add or index-add accumulates.</summary>
public interface IAddable<T> where T : unmanaged
{
    T Zero { get; }
    T Add(T a, T b);
    bool NonZero(T v);
}

/// <summary>
/// Floating-point arithmetic for generic kernels. ILGPU cannot compile .NET generic math
/// (<c>T.CreateTruncating</c> reflects on types), so kernels take a zero-size struct implementing this
/// interface as a second type argument and call it through <c>default(O)</c>; the calls inline away.
/// </summary>
public interface INum<T> : IAddable<T> where T : unmanaged
{
    T One { get; }
    T NegInf { get; }
    T NaN { get; }
    /// <summary>Relative precision that ends series expansions.</summary>
    T Epsilon { get; }
    /// <summary>A constant (folded at compile time when the argument is a literal).</summary>
    T Of(double v);
    T OfInt(int v);
    T Sub(T a, T b);
    T Mul(T a, T b);
    T Div(T a, T b);
    T Neg(T a);
    T Exp(T x);
    T Log(T x);
    T Sqrt(T x);
    T Tanh(T x);
    T Pow(T x, T y);
    T Abs(T x);
    bool Gt(T a, T b);
    bool Lt(T a, T b);
    bool Ge(T a, T b);
    bool Le(T a, T b);
    bool Eq(T a, T b);
    bool IsNaN(T x);
    bool IsNegInf(T x);
}

public struct F32 : INum<float>
{
    public float Zero => 0f;
    public float One => 1f;
    public float NegInf => float.NegativeInfinity;
    public float NaN => float.NaN;
    public float Epsilon => 1e-8f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Of(double v) => (float)v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float OfInt(int v) => v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Add(float a, float b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Sub(float a, float b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Mul(float a, float b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Div(float a, float b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Neg(float a) => -a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Exp(float x) => MathF.Exp(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Log(float x) => MathF.Log(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Sqrt(float x) => MathF.Sqrt(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Tanh(float x) => MathF.Tanh(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Pow(float x, float y) => MathF.Pow(x, y);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public float Abs(float x) => MathF.Abs(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public bool Gt(float a, float b) => a > b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public bool Lt(float a, float b) => a < b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public bool Ge(float a, float b) => a >= b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public bool Le(float a, float b) => a <= b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public bool Eq(float a, float b) => a == b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public bool IsNaN(float x) => float.IsNaN(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public bool IsNegInf(float x) => x == float.NegativeInfinity;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public bool NonZero(float v) => v != 0f;
}

public struct F64 : INum<double>
{
    public double Zero => 0.0;
    public double One => 1.0;
    public double NegInf => double.NegativeInfinity;
    public double NaN => double.NaN;
    public double Epsilon => 1e-17;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public double Of(double v) => v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public double OfInt(int v) => v;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public double Add(double a, double b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public double Sub(double a, double b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public double Mul(double a, double b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public double Div(double a, double b) => a / b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public double Neg(double a) => -a;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public double Exp(double x) => Math.Exp(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public double Log(double x) => Math.Log(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public double Sqrt(double x) => Math.Sqrt(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public double Tanh(double x) => Math.Tanh(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public double Pow(double x, double y) => Math.Pow(x, y);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public double Abs(double x) => Math.Abs(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public bool Gt(double a, double b) => a > b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public bool Lt(double a, double b) => a < b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public bool Ge(double a, double b) => a >= b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public bool Le(double a, double b) => a <= b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public bool Eq(double a, double b) => a == b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public bool IsNaN(double x) => double.IsNaN(x);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public bool IsNegInf(double x) => x == double.NegativeInfinity;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public bool NonZero(double v) => v != 0.0;
}

/// <summary>Int32 for the kernels that only move, compare or add values (copies, where, scatter-add).</summary>
public struct I32 : IAddable<int>
{
    public int Zero => 0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public int Add(int a, int b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public bool NonZero(int v) => v != 0;
}
