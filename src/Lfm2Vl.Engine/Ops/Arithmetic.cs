namespace Lfm2Vl.Engine;

// Arithmetic with broadcasting. Each op: forward through a backend primitive, then its backward.
public sealed partial class Tensor
{
    public static Tensor Add(Tensor a, Tensor b) => Record(BinaryForward(BinaryOp.Add, a, b), "Add", [a, b], [],
        (g, _) => [a.RequiresGrad ? g.SumTo(a._shape) : null, b.RequiresGrad ? g.SumTo(b._shape) : null]);

    public static Tensor Sub(Tensor a, Tensor b) => Record(BinaryForward(BinaryOp.Sub, a, b), "Sub", [a, b], [],
        (g, _) => [a.RequiresGrad ? g.SumTo(a._shape) : null, b.RequiresGrad ? g.Neg().SumTo(b._shape) : null]);

    public static Tensor Mul(Tensor a, Tensor b) => Record(BinaryForward(BinaryOp.Mul, a, b), "Mul", [a, b], [a, b],
        (g, s) => [a.RequiresGrad ? (g * s[1]).SumTo(a._shape) : null, b.RequiresGrad ? (g * s[0]).SumTo(b._shape) : null]);

    public static Tensor Div(Tensor a, Tensor b) => Record(BinaryForward(BinaryOp.Div, a, b), "Div", [a, b], [a, b],
        (g, s) =>
        [
            a.RequiresGrad ? (g / s[1]).SumTo(a._shape) : null,
            // d(a/b)/db = -a / b^2
            b.RequiresGrad ? (-(g * s[0]) / s[1].Square()).SumTo(b._shape) : null,
        ]);

    /// <summary>Element-wise a^b (both tensors).</summary>
    public static Tensor Pow(Tensor a, Tensor b)
    {
        var y = BinaryForward(BinaryOp.Pow, a, b);
        // Where the formulas give 0 * inf (exponent 0 at base 0; log 0 for a zero base), the gradient is 0, as in PyTorch.
        return Record(y, "Pow", [a, b], [a, b, y], (g, s) =>
        {
            var zero = g.ScalarLike(0);
            return
            [
                a.RequiresGrad ? Where(Equal(s[1], zero), zero, g * s[1] * Pow(s[0], s[1] - 1.0)).SumTo(a._shape) : null,
                b.RequiresGrad ? Where(Equal(s[0], zero) * (1.0 - Less(s[1], zero)), zero, g * s[2] * s[0].Log()).SumTo(b._shape) : null,
            ];
        });
    }

    /// <summary>Element-wise maximum (gradient to the larger input; split evenly on ties, as PyTorch does).</summary>
    public static Tensor Maximum(Tensor a, Tensor b) => MinMax(BinaryOp.Maximum, a, b);
    public static Tensor Minimum(Tensor a, Tensor b) => MinMax(BinaryOp.Minimum, a, b);

    private static Tensor MinMax(BinaryOp op, Tensor a, Tensor b)
    {
        var y = BinaryForward(op, a, b);
        return Record(y, op.ToString(), [a, b], [a, b], (g, s) =>
        {
            var aWins = op == BinaryOp.Maximum ? Greater(s[0], s[1]) : Less(s[0], s[1]);
            var tie = Equal(s[0], s[1]) * 0.5;
            var wa = aWins + tie;
            var wb = 1.0 - wa;
            return [a.RequiresGrad ? (g * wa).SumTo(a._shape) : null, b.RequiresGrad ? (g * wb).SumTo(b._shape) : null];
        });
    }

    public Tensor Neg() => Record(UnaryForward(UnaryOp.Neg, this), "Neg", [this], [], (g, _) => [g.Neg()]);

    public Tensor AddScalar(double v) => Record(UnaryForward(UnaryOp.AddScalar, this, v), "AddScalar", [this], [], (g, _) => [g.NewHandle()]);

    public Tensor MulScalar(double v) => Record(UnaryForward(UnaryOp.MulScalar, this, v), "MulScalar", [this], [], (g, _) => [g.MulScalar(v)]);

    /// <summary>x^p for a scalar exponent.</summary>
    public Tensor Pow(double p) => Record(UnaryForward(UnaryOp.PowScalar, this, p), "PowScalar", [this], [this],
        (g, s) => [p == 0 ? ZerosLike(g) : g * s[0].Pow(p - 1).MulScalar(p)]); // x^0: zero gradient even at x = 0

    public Tensor Square() => Record(UnaryForward(UnaryOp.Square, this), "Square", [this], [this], (g, s) => [g * s[0].MulScalar(2)]);

    public Tensor Reciprocal()
    {
        var y = UnaryForward(UnaryOp.Reciprocal, this);
        return Record(y, "Reciprocal", [this], [y], (g, s) => [-(g * s[0].Square())]);
    }

    // Comparisons: float 0/1 results, no gradient.
    public static Tensor Equal(Tensor a, Tensor b) => BinaryForward(BinaryOp.Equal, a, b);
    public static Tensor Greater(Tensor a, Tensor b) => BinaryForward(BinaryOp.Greater, a, b);
    public static Tensor Less(Tensor a, Tensor b) => BinaryForward(BinaryOp.Less, a, b);

    /// <summary>A scalar tensor with this tensor's dtype and device.</summary>
    internal Tensor ScalarLike(double v) => Full([], v, DType, Device);

    public static Tensor operator +(Tensor a, Tensor b) => Add(a, b);
    public static Tensor operator -(Tensor a, Tensor b) => Sub(a, b);
    public static Tensor operator *(Tensor a, Tensor b) => Mul(a, b);
    public static Tensor operator /(Tensor a, Tensor b) => Div(a, b);
    public static Tensor operator -(Tensor a) => a.Neg();
    public static Tensor operator +(Tensor a, double b) => a.AddScalar(b);
    public static Tensor operator +(double a, Tensor b) => b.AddScalar(a);
    public static Tensor operator -(Tensor a, double b) => a.AddScalar(-b);
    public static Tensor operator -(double a, Tensor b) => b.Neg().AddScalar(a);
    public static Tensor operator *(Tensor a, double b) => a.MulScalar(b);
    public static Tensor operator *(double a, Tensor b) => b.MulScalar(a);
    public static Tensor operator /(Tensor a, double b) => a.MulScalar(1.0 / b);
    public static Tensor operator /(double a, Tensor b) => b.Reciprocal().MulScalar(a);
}
