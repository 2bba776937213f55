namespace Lfm2Vl.Engine.Tests.Support;

/// <summary>One generated op input: shape, value domain, memory layout and the seed of its values.</summary>
public sealed record InputSpec(int[] Shape, ValueDomain Domain, Layout Layout, ulong Seed)
{
    public int Numel => Shape.Aggregate(1, (a, b) => a * b);

    /// <summary>The logical values in row-major order (optionally rounded to float32 precision).</summary>
    public double[] Values(bool roundToFloat32 = false)
    {
        var v = Domain.Sample(new Generator(Seed), Numel);
        return roundToFloat32 ? v.Select(x => (double)(float)x).ToArray() : v;
    }

    /// <summary>The input as a leaf tensor of the given dtype, in this spec's layout unless <paramref name="contiguous"/>.</summary>
    public Tensor Build(DType dtype, bool contiguous = false, bool roundToFloat32 = false)
    {
        var t = Tensor.FromDoubles(Values(roundToFloat32), Shape, dtype);
        return contiguous ? t : Layout.Apply(t);
    }

    public override string ToString() => $"{ShapeUtil.Format(Shape)} {Domain} {Layout} seed={Seed}";
}
