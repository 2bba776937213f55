using FsCheck;
using FsCheck.Fluent;

namespace Lfm2Vl.Engine.Tests.Support;

/// <summary>FsCheck generators for shapes, axes, layouts and op inputs. Extents stay small (gradient checks
/// evaluate the op twice per input element), ranks run 0..4.</summary>
public static class Gens
{
    public static Gen<ulong> Seed => Gen.Choose(0, int.MaxValue).Select(i => (ulong)i);

    public static Gen<bool> Bool => Gen.Elements(false, true);

    public static Gen<int[]> Shape(int minRank = 0, int maxRank = 4, int minExtent = 1, int maxExtent = 3) =>
        from rank in Gen.Choose(minRank, maxRank)
        from dims in Gen.ArrayOf(Gen.Choose(minExtent, maxExtent), rank)
        select dims;

    /// <summary>A layout for a tensor of this shape: half contiguous, the rest permuted or narrowed views.</summary>
    public static Gen<Layout> LayoutFor(int[] shape)
    {
        var options = new List<(int, Gen<Layout>)> { (2, Gen.Constant(Layout.Contiguous)) };
        if (shape.Length >= 2)
            options.Add((1, Gen.Shuffle(Enumerable.Range(0, shape.Length).ToArray()).Select(p => Layout.Permuted(p))));
        if (shape.Length >= 1)
            options.Add((1,
                from dim in Gen.Choose(0, shape.Length - 1)
                from before in Gen.Choose(0, 2)
                from after in Gen.Choose(1, 2)
                select Layout.Narrowed(dim, before, after)));
        return Gen.Frequency(options.Select(o => (o.Item1, o.Item2)).ToArray());
    }

    public static Gen<InputSpec> Input(int[] shape, ValueDomain domain) =>
        from layout in LayoutFor(shape)
        from seed in Seed
        select new InputSpec(shape, domain, layout, seed);

    /// <summary>A shape that broadcasts to <paramref name="shape"/>: some dimensions set to 1, some leading ones dropped.</summary>
    public static Gen<int[]> BroadcastableTo(int[] shape) =>
        from ones in Gen.ArrayOf(Gen.Frequency((3, Gen.Constant(false)), (1, Gen.Constant(true))), shape.Length)
        from drop in Gen.Frequency((3, Gen.Constant(0)), (1, Gen.Choose(0, shape.Length)))
        select shape.Select((d, i) => ones[i] ? 1 : d).Skip(drop).ToArray();

    /// <summary>Two shapes that broadcast together (either side may have the 1s or the missing dimensions).</summary>
    public static Gen<(int[] A, int[] B)> BroadcastPair(int maxRank = 4) =>
        from outShape in Shape(0, maxRank)
        from a in BroadcastableTo(outShape)
        from b in BroadcastableTo(outShape)
        select (a, b);

    /// <summary>Axes to reduce over: null (all) or a non-empty subset, each written positive or negative.</summary>
    public static Gen<int[]?> Axes(int rank)
    {
        if (rank == 0) return Gen.Constant<int[]?>(null);
        var subset =
            from dims in Gen.SubListOf(Enumerable.Range(0, rank)).Where(s => s.Count > 0)
            from negative in Gen.ArrayOf(Bool, dims.Count)
            from shuffled in Gen.Shuffle(dims.Select((d, i) => negative[i] ? d - rank : d).ToArray())
            select (int[]?)shuffled;
        return Gen.Frequency((1, Gen.Constant<int[]?>(null)), (4, subset));
    }

    /// <summary>An axis of a tensor of rank &gt;= 1, positive or negative.</summary>
    public static Gen<int> Axis(int rank) => Gen.Choose(-rank, rank - 1);

    /// <summary>Formats reduction axes for a sample description.</summary>
    public static string Format(int[]? axes) => axes is null ? "all" : "[" + string.Join(",", axes) + "]";
}
