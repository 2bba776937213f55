namespace Lfm2Vl.Kernels;

/// <summary>Element-wise functions of one input, as kernel-side codes (the backend maps the engine's enum).</summary>
public static class UnaryCode
{
    public const int Identity = 0, Neg = 1, Exp = 2, Log = 3, Sqrt = 4, Rsqrt = 5, Abs = 6, Sign = 7, Square = 8,
        Reciprocal = 9, PowScalar = 10, AddScalar = 11, MulScalar = 12, Clamp = 13, Relu = 14, LeakyRelu = 15,
        Sigmoid = 16, Tanh = 17, GeluTanh = 18, GeluErf = 19, Silu = 20;
}

/// <summary>Element-wise functions of two inputs (the *Grad codes are fused activation backward passes).</summary>
public static class BinaryCode
{
    public const int Add = 0, Sub = 1, Mul = 2, Div = 3, Pow = 4, Maximum = 5, Minimum = 6, Equal = 7, Greater = 8,
        Less = 9, ReluGrad = 10, LeakyReluGrad = 11, SigmoidGrad = 12, TanhGrad = 13, GeluTanhGrad = 14,
        GeluErfGrad = 15, SiluGrad = 16, ClampGrad = 17;
}

public static class ReduceCode
{
    public const int Sum = 0, Max = 1, Min = 2;
}

/// <summary>What an index kernel writes into the error flag when it meets an index out of range.</summary>
public static class IndexErrorCode
{
    public const int None = 0, Gather = 1, ScatterAdd = 2;
}
