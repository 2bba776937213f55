using FsCheck;
using FsCheck.Fluent;

namespace Lfm2Vl.Engine.Tests.Support;

/// <summary>A named generator of samples of one op (an entry of <see cref="OpCatalog"/>).</summary>
public sealed record OpGen(string Name, Gen<OpSample> Gen)
{
    public override string ToString() => Name;
}

/// <summary>Builders for the common sample shapes: one input, or two that broadcast together.</summary>
public static class Samples
{
    public static Gen<OpSample> Unary(string op, ValueDomain domain, Func<Tensor, Tensor> f, int minRank = 0, int maxRank = 4) =>
        from shape in Gens.Shape(minRank, maxRank)
        from x in Gens.Input(shape, domain)
        select new OpSample(op, "", [x], xs => f(xs[0]));

    /// <summary>A unary op with one generated parameter (an exponent, a slope, a bound).</summary>
    public static Gen<OpSample> Unary<TP>(string op, ValueDomain domain, Gen<TP> parameter, Func<Tensor, TP, Tensor> f) =>
        from p in parameter
        from shape in Gens.Shape()
        from x in Gens.Input(shape, domain)
        select new OpSample(op, $"{p}", [x], xs => f(xs[0], p));

    public static Gen<OpSample> Binary(string op, ValueDomain da, ValueDomain db, Func<Tensor, Tensor, Tensor> f) =>
        from shapes in Gens.BroadcastPair()
        from a in Gens.Input(shapes.A, da)
        from b in Gens.Input(shapes.B, db)
        select new OpSample(op, "", [a, b], xs => f(xs[0], xs[1]));
}
