using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Lfm2Vl.Engine.Tests.Support;
using Xunit;
using static Lfm2Vl.Engine.Tests.Support.ValueDomain;

namespace Lfm2Vl.Engine.Tests.Properties;

/// <summary>Identities between ops that hold for any input (float64, any layout).</summary>
public class AlgebraicPropertyTests
{
    private static Gen<InputSpec> AnyInput(int minRank = 0, int maxRank = 4, ValueDomain? domain = null) =>
        from shape in Gens.Shape(minRank, maxRank)
        from x in Gens.Input(shape, domain ?? Uniform())
        select x;

    private static Property ForAll<T>(Gen<T> gen, Action<T> body) => Prop.ForAll(gen.ToArbitrary(), (T v) =>
    {
        using var scope = TensorScope.Begin();
        body(v);
    });

    [Property(MaxTest = 50)]
    public Property BroadcastThenSumEqualsScaling() => ForAll(
        from x in AnyInput(maxRank: 3)
        from n in Gen.Choose(1, 4)
        select (x, n),
        c =>
        {
            var x = c.x.Build(DType.Float64);
            var expanded = x.Expand([c.n, .. x.Shape]).Sum(0);
            Approx.Equal(x * c.n, expanded, 1e-14, 1e-14, $"expand({c.n}).sum(0) of {c.x}");
            var broadcast = (x + Tensor.Zeros([c.n, .. x.Shape], DType.Float64)).Sum(0);
            Approx.Equal(x * c.n, broadcast, 1e-14, 1e-14, $"(x + zeros[{c.n}, ...]).sum(0) of {c.x}");
        });

    [Property(MaxTest = 50)]
    public Property SoftmaxSumsToOneAlongItsAxis() => ForAll(
        from x in AnyInput(minRank: 1, domain: Uniform(-10, 10))
        from axis in Gens.Axis(x.Shape.Length)
        select (x, axis),
        c =>
        {
            var y = c.x.Build(DType.Float64).Softmax(c.axis);
            Assert.All(y.ToDoubleArray(), v => Assert.InRange(v, 0, 1));
            var sums = y.Sum(c.axis).ToDoubleArray();
            Approx.Equal(Enumerable.Repeat(1.0, sums.Length).ToArray(), sums, 1e-14, 0, $"softmax({c.axis}) sums of {c.x}");
        });

    [Property(MaxTest = 50)]
    public Property SoftmaxIsInvariantToAddingAConstant() => ForAll(
        from x in AnyInput(minRank: 1)
        from axis in Gens.Axis(x.Shape.Length)
        from shift in Gen.Choose(-400, 400).Select(i => i / 8.0)
        select (x, axis, shift),
        c =>
        {
            var x = c.x.Build(DType.Float64);
            Approx.Equal(x.Softmax(c.axis), (x + c.shift).Softmax(c.axis), 1e-13, 1e-12, $"softmax(x + {c.shift}) of {c.x}");
            Approx.Equal(x.LogSoftmax(c.axis), (x + c.shift).LogSoftmax(c.axis), 1e-12, 1e-12, $"log_softmax(x + {c.shift}) of {c.x}");
        });

    [Property(MaxTest = 50)]
    public Property LogSoftmaxEqualsLogOfSoftmax() => ForAll(
        from x in AnyInput(minRank: 1, domain: Uniform(-5, 5))
        from axis in Gens.Axis(x.Shape.Length)
        select (x, axis),
        c =>
        {
            var x = c.x.Build(DType.Float64);
            Approx.Equal(x.Softmax(c.axis).Log(), x.LogSoftmax(c.axis), 1e-13, 1e-13, $"log_softmax({c.axis}) of {c.x}");
        });

    [Property(MaxTest = 50)]
    public Property GradientOfSumIsOnes() => ForAll(
        from x in AnyInput()
        from axes in Gens.Axes(x.Shape.Length)
        select (x, axes),
        c =>
        {
            var x = c.x.Build(DType.Float64).RequireGrad();
            x.Sum(c.axes).Sum().Backward();
            Assert.Equal(x.Shape, x.Grad!.Shape);
            Assert.All(x.Grad.ToDoubleArray(), g => Assert.Equal(1.0, g));
        });

    /// <summary>Small integers keep every product and sum exact, so both groupings agree bit for bit.</summary>
    [Property(MaxTest = 50)]
    public Property MatMulIsAssociativeOnSmallIntegers() => ForAll(
        from batch in Gens.Shape(maxRank: 2)
        from dims in Gen.ArrayOf(Gen.Choose(1, 4), 4)
        from a in Gens.Input([.. batch, dims[0], dims[1]], SmallInts)
        from b in Gens.Input([dims[1], dims[2]], SmallInts)
        from c in Gens.Input([.. batch, dims[2], dims[3]], SmallInts)
        from dtype in Gen.Elements(DType.Float32, DType.Float64)
        select (a, b, c, dtype),
        s =>
        {
            var (a, b, c) = (s.a.Build(s.dtype), s.b.Build(s.dtype), s.c.Build(s.dtype));
            var left = Tensor.MatMul(Tensor.MatMul(a, b), c);
            var right = Tensor.MatMul(a, Tensor.MatMul(b, c));
            Assert.Equal(left.Shape, right.Shape);
            Assert.Equal(left.ToDoubleArray(), right.ToDoubleArray());
        });

    [Property(MaxTest = 50)]
    public Property TransposingTwiceIsIdentity() => ForAll(
        from x in AnyInput(minRank: 1)
        from d0 in Gens.Axis(x.Shape.Length)
        from d1 in Gens.Axis(x.Shape.Length)
        from perm in Gen.Shuffle(Enumerable.Range(0, x.Shape.Length).ToArray())
        select (x, d0, d1, perm),
        c =>
        {
            var x = c.x.Build(DType.Float64);
            var twice = x.Transpose(c.d0, c.d1).Transpose(c.d0, c.d1);
            Assert.Equal(x.Shape, twice.Shape);
            Assert.Equal(x.ToDoubleArray(), twice.ToDoubleArray());
            var inverse = new int[c.perm.Length];
            for (int i = 0; i < c.perm.Length; i++) inverse[c.perm[i]] = i;
            Assert.Equal(x.ToDoubleArray(), x.Permute(c.perm).Permute(inverse).ToDoubleArray());
        });

    [Property(MaxTest = 50)]
    public Property ReshapeRoundTrips() => ForAll(
        from x in AnyInput()
        from flatFirst in Gens.Bool
        select (x, flatFirst),
        c =>
        {
            var x = c.x.Build(DType.Float64);
            var shape = x.Shape;
            var there = c.flatFirst ? x.Reshape(-1) : x.Reshape([.. shape.Reverse()]);
            var back = there.Reshape(shape);
            Assert.Equal(shape, back.Shape);
            Assert.Equal(x.ToDoubleArray(), back.ToDoubleArray());
            Assert.Equal(x.ToDoubleArray(), there.ToDoubleArray()); // row-major order is kept
        });
}
