using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Lfm2Vl.Engine.Tests.Support;
using static Lfm2Vl.Engine.Tests.Support.ValueDomain;

namespace Lfm2Vl.Engine.Tests.Gradients;

/// <summary>Joining, splitting, selecting and masking. Index and mask tensors are built inside the sampled
/// function from captured arrays, and indices repeat, so the scatter-add backward must accumulate.</summary>
public static class IndexingOps
{
    private static string Join(IEnumerable<int> v) => "[" + string.Join(",", v) + "]";

    private static int Norm(int axis, int rank) => axis < 0 ? axis + rank : axis;

    public static Gen<OpSample> Concat =>
        from shape in Gens.Shape(minRank: 1)
        from axis in Gens.Axis(shape.Length)
        from extents in Gen.ArrayOf(Gen.Choose(1, 3), 3).SelectMany(e => Gen.Choose(1, 3).Select(count => e.Take(count).ToArray()))
        from inputs in Gen.CollectToArray(extents.Select(e => Gens.Input(WithExtent(shape, Norm(axis, shape.Length), e), Uniform())))
        select new OpSample("concat", $"axis={axis}", inputs, xs => Tensor.Concat(xs, axis));

    public static Gen<OpSample> Stack =>
        from shape in Gens.Shape(maxRank: 3)
        from axis in Gen.Choose(-shape.Length - 1, shape.Length)
        from count in Gen.Choose(1, 3)
        from inputs in Gen.CollectToArray(Enumerable.Range(0, count).Select(_ => Gens.Input(shape, Uniform())))
        select new OpSample("stack", $"axis={axis}", inputs, xs => Tensor.Stack(xs, axis));

    /// <summary>Split into a random partition (or fixed-size chunks), then either reassemble the pieces in
    /// reverse order or use a single piece (the others get zero gradient).</summary>
    public static Gen<OpSample> Split =>
        from baseShape in Gens.Shape(minRank: 1)
        from axis in Gens.Axis(baseShape.Length)
        from extent in Gen.Choose(1, 5)
        let shape = WithExtent(baseShape, Norm(axis, baseShape.Length), extent)
        from cuts in Gen.ArrayOf(Gens.Bool, extent - 1)
        from chunk in Gen.Frequency((2, Gen.Constant(0)), (1, Gen.Choose(1, extent)))
        let sizes = chunk > 0 ? ChunkSizes(extent, chunk) : Partition(cuts)
        from use in Gen.Choose(-1, sizes.Length - 1)
        from x in Gens.Input(shape, Uniform())
        select new OpSample("split", $"axis={axis} {(chunk > 0 ? $"chunk={chunk}" : $"sizes={Join(sizes)}")} use={(use < 0 ? "all reversed" : use)}", [x], xs =>
        {
            var parts = chunk > 0 ? xs[0].Split(chunk, axis) : xs[0].Split(sizes, axis);
            return use < 0 ? Tensor.Concat(parts.Reverse().ToArray(), axis) : parts[use];
        });

    public static Gen<OpSample> Narrow =>
        from shape in Gens.Shape(minRank: 1)
        from dim in Gens.Axis(shape.Length)
        let extent = shape[Norm(dim, shape.Length)]
        from start in Gen.Choose(0, extent - 1)
        from length in Gen.Choose(1, extent - start)
        from negative in Gens.Bool
        from x in Gens.Input(shape, Uniform())
        let s = negative ? start - extent : start
        select new OpSample("narrow", $"dim={dim} start={s} length={length}", [x], xs => xs[0].Narrow(dim, s, length));

    public static Gen<OpSample> Select =>
        from shape in Gens.Shape(minRank: 1)
        from dim in Gens.Axis(shape.Length)
        from index in Gen.Choose(0, shape[Norm(dim, shape.Length)] - 1)
        from x in Gens.Input(shape, Uniform())
        select new OpSample("select", $"dim={dim} index={index}", [x], xs => xs[0].Select(dim, index));

    /// <summary>torch.gather: the index has the input's rank, at most the input's extent off the axis, any extent on it.</summary>
    public static Gen<OpSample> Gather =>
        from shape in Gens.Shape(minRank: 1)
        from axis in Gens.Axis(shape.Length)
        let a = Norm(axis, shape.Length)
        from indexShape in Gen.CollectToArray(shape.Select((e, d) => d == a ? Gen.Choose(1, 4) : Gen.Choose(1, e)))
        from index in Gen.ArrayOf(Gen.Choose(0, shape[a] - 1), indexShape.Aggregate(1, (p, e) => p * e))
        from x in Gens.Input(shape, Uniform())
        select new OpSample("gather", $"axis={axis} index{ShapeUtil.Format(indexShape)}={Join(index)}", [x],
            xs => xs[0].Gather(axis, Tensor.FromArray(index, indexShape)));

    public static Gen<OpSample> IndexSelect =>
        from shape in Gens.Shape(minRank: 1)
        from axis in Gens.Axis(shape.Length)
        from index in Gen.Choose(1, 4).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, shape[Norm(axis, shape.Length)] - 1), n))
        from x in Gens.Input(shape, Uniform())
        select new OpSample("index_select", $"axis={axis} index={Join(index)}", [x],
            xs => xs[0].IndexSelect(axis, Tensor.FromArray(index, index.Length)));

    /// <summary>where(cond, a, b) with all three broadcasting; the condition is int32 or of the inputs' dtype.</summary>
    public static Gen<OpSample> Where =>
        from shapes in Gens.BroadcastPair()
        from condShape in Gens.BroadcastableTo(ShapeUtil.Broadcast(shapes.A, shapes.B))
        from mask in Gen.ArrayOf(Gen.Elements(0, 1), condShape.Aggregate(1, (p, e) => p * e))
        from intCondition in Gens.Bool
        from a in Gens.Input(shapes.A, Uniform())
        from b in Gens.Input(shapes.B, Uniform())
        select new OpSample("where", $"cond{ShapeUtil.Format(condShape)}={Join(mask)} {(intCondition ? "int32" : "float")}", [a, b], xs =>
        {
            var cond = Tensor.FromDoubles(mask.Select(m => (double)m).ToArray(), condShape, intCondition ? DType.Int32 : xs[0].DType);
            return Tensor.Where(cond, xs[0], xs[1]);
        });

    /// <summary>masked_fill with a mask that broadcasts to the input's shape.</summary>
    public static Gen<OpSample> MaskedFill =>
        from shape in Gens.Shape()
        from maskShape in Gens.BroadcastableTo(shape)
        from mask in Gen.ArrayOf(Gen.Elements(0, 1), maskShape.Aggregate(1, (p, e) => p * e))
        from value in Gen.Choose(-8, 8).Select(i => i / 4.0)
        from x in Gens.Input(shape, Uniform())
        select new OpSample("masked_fill", $"mask{ShapeUtil.Format(maskShape)}={Join(mask)} value={value}", [x],
            xs => xs[0].MaskedFill(Tensor.FromArray(mask, maskShape), value));

    private static int[] WithExtent(int[] shape, int dim, int extent)
    {
        var s = (int[])shape.Clone();
        s[dim] = extent;
        return s;
    }

    private static int[] ChunkSizes(int extent, int chunk) =>
        Enumerable.Range(0, (extent + chunk - 1) / chunk).Select(i => Math.Min(chunk, extent - i * chunk)).ToArray();

    /// <summary>Piece sizes from "cut after position i" flags.</summary>
    private static int[] Partition(bool[] cuts)
    {
        var sizes = new List<int>();
        int run = 1;
        foreach (var cut in cuts)
        {
            if (cut) { sizes.Add(run); run = 1; }
            else run++;
        }
        sizes.Add(run);
        return [.. sizes];
    }

    public static IReadOnlyList<OpGen> All =>
    [
        new("concat", Concat), new("stack", Stack), new("split", Split), new("narrow", Narrow), new("select", Select),
        new("gather", Gather), new("index_select", IndexSelect), new("where", Where), new("masked_fill", MaskedFill),
    ];
}

public class IndexingGradientTests
{
    private const int N = 40;

    [Property(MaxTest = N)] public Property Concat() => OpProperties.Gradient(IndexingOps.Concat);
    [Property(MaxTest = N)] public Property Stack() => OpProperties.Gradient(IndexingOps.Stack);
    [Property(MaxTest = N)] public Property Split() => OpProperties.Gradient(IndexingOps.Split);
    [Property(MaxTest = N)] public Property Narrow() => OpProperties.Gradient(IndexingOps.Narrow);
    [Property(MaxTest = N)] public Property Select() => OpProperties.Gradient(IndexingOps.Select);
    [Property(MaxTest = N)] public Property Gather() => OpProperties.Gradient(IndexingOps.Gather);
    [Property(MaxTest = N)] public Property IndexSelect() => OpProperties.Gradient(IndexingOps.IndexSelect);
    [Property(MaxTest = N)] public Property Where() => OpProperties.Gradient(IndexingOps.Where);
    [Property(MaxTest = N)] public Property MaskedFill() => OpProperties.Gradient(IndexingOps.MaskedFill);
}
