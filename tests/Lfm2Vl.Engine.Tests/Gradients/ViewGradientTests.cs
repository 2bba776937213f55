using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Lfm2Vl.Engine.Tests.Support;
using static Lfm2Vl.Engine.Tests.Support.ValueDomain;

namespace Lfm2Vl.Engine.Tests.Gradients;

/// <summary>Shape and view ops; with non-contiguous inputs, reshape and contiguous take their copying paths.</summary>
public static class ViewOps
{
    private static string Join(IEnumerable<int> v) => "[" + string.Join(",", v) + "]";

    private static int[] PrimeFactors(int n)
    {
        var f = new List<int>();
        for (int p = 2; n > 1; p++)
            while (n % p == 0) { f.Add(p); n /= p; }
        return [.. f];
    }

    /// <summary>A new shape with the same element count: the prime factors regrouped, maybe a 1, maybe a -1.</summary>
    private static Gen<int[]> ReshapeTarget(int[] shape) =>
        from factors in Gen.Shuffle(shape.SelectMany(PrimeFactors).ToArray())
        from cuts in Gen.ArrayOf(Gens.Bool, Math.Max(factors.Length - 1, 0))
        from one in Gen.Choose(-1, factors.Length)
        let grouped = Group(factors, cuts, one)
        from infer in Gen.Choose(-1, grouped.Length - 1)
        select grouped.Select((d, i) => i == infer ? -1 : d).ToArray();

    private static int[] Group(int[] factors, bool[] cuts, int insertOneAt)
    {
        var dims = new List<int>();
        for (int i = 0; i < factors.Length; i++)
        {
            if (i == 0 || cuts[i - 1]) dims.Add(factors[i]);
            else dims[^1] *= factors[i];
        }
        if (insertOneAt >= 0) dims.Insert(Math.Min(insertOneAt, dims.Count), 1);
        return [.. dims];
    }

    public static Gen<OpSample> Reshape =>
        from shape in Gens.Shape()
        from target in ReshapeTarget(shape)
        from x in Gens.Input(shape, Uniform())
        select new OpSample("reshape", $"to {Join(target)}", [x], xs => xs[0].Reshape(target));

    public static Gen<OpSample> Flatten =>
        from shape in Gens.Shape(minRank: 1)
        from start in Gen.Choose(0, shape.Length - 1)
        from end in Gen.Choose(start, shape.Length - 1)
        from negative in Gens.Bool
        from x in Gens.Input(shape, Uniform())
        let e = negative ? end - shape.Length : end
        select new OpSample("flatten", $"start={start} end={e}", [x], xs => xs[0].Flatten(start, e));

    public static Gen<OpSample> Permute =>
        from shape in Gens.Shape()
        from perm in Gen.Shuffle(Enumerable.Range(0, shape.Length).ToArray())
        from x in Gens.Input(shape, Uniform())
        select new OpSample("permute", Join(perm), [x], xs => xs[0].Permute(perm));

    public static Gen<OpSample> Transpose =>
        from shape in Gens.Shape(minRank: 1)
        from d0 in Gens.Axis(shape.Length)
        from d1 in Gens.Axis(shape.Length)
        from x in Gens.Input(shape, Uniform())
        select new OpSample("transpose", $"{d0},{d1}", [x], xs => xs[0].Transpose(d0, d1));

    public static Gen<OpSample> MatrixTranspose => Samples.Unary("T", Uniform(), x => x.T, minRank: 2);

    /// <summary>Expand size-1 and missing leading dimensions; -1 keeps an existing extent.</summary>
    public static Gen<OpSample> Expand =>
        from outShape in Gens.Shape(maxRank: 3)
        from xShape in Gens.BroadcastableTo(outShape)
        from lead in Gens.Shape(maxRank: 1)
        from keepMarks in Gen.ArrayOf(Gens.Bool, lead.Length + outShape.Length)
        let target = lead.Concat(outShape).ToArray()
        let offset = target.Length - xShape.Length
        let withMinus = target.Select((d, i) => i >= offset && keepMarks[i] && xShape[i - offset] == d ? -1 : d).ToArray()
        from x in Gens.Input(xShape, Uniform())
        select new OpSample("expand", $"to {Join(withMinus)}", [x], xs => xs[0].Expand(withMinus));

    /// <summary>An expanded (stride-0) view as the input of kernels that read it: unary, softmax, matmul.</summary>
    public static Gen<OpSample> ExpandedInput =>
        from shape in Gens.Shape(minRank: 2, maxRank: 3)
        from xShape in Gens.BroadcastableTo(shape)
        from consumer in Gen.Elements("exp", "softmax", "matmul")
        from x in Gens.Input(xShape, Uniform())
        select new OpSample("expanded input", $"expand to {Join(shape)} then {consumer}", [x], xs =>
        {
            var e = xs[0].Expand(shape);
            return consumer switch
            {
                "exp" => e.Exp(),
                "softmax" => e.Softmax(-1),
                _ => Tensor.MatMul(e, e.T),
            };
        });

    public static Gen<OpSample> Squeeze =>
        from shape in Gens.Shape(maxExtent: 2)
        from dim in shape.Length == 0 ? Gen.Constant<int?>(null) : Gen.OneOf(Gen.Constant<int?>(null), Gens.Axis(shape.Length).Select(d => (int?)d))
        from x in Gens.Input(shape, Uniform())
        select new OpSample("squeeze", dim is null ? "all" : $"dim={dim}", [x], xs => xs[0].Squeeze(dim));

    public static Gen<OpSample> Unsqueeze =>
        from shape in Gens.Shape()
        from dim in Gen.Choose(-shape.Length - 1, shape.Length)
        from x in Gens.Input(shape, Uniform())
        select new OpSample("unsqueeze", $"dim={dim}", [x], xs => xs[0].Unsqueeze(dim));

    public static Gen<OpSample> Contiguous => Samples.Unary("contiguous", Uniform(), x => x.Contiguous());
    public static Gen<OpSample> Clone => Samples.Unary("clone", Uniform(), x => x.Clone());

    public static IReadOnlyList<OpGen> All =>
    [
        new("reshape", Reshape), new("flatten", Flatten), new("permute", Permute), new("transpose", Transpose),
        new("T", MatrixTranspose), new("expand", Expand), new("expanded input", ExpandedInput), new("squeeze", Squeeze), new("unsqueeze", Unsqueeze),
        new("contiguous", Contiguous), new("clone", Clone),
    ];
}

public class ViewGradientTests
{
    private const int N = 40;

    [Property(MaxTest = N)] public Property Reshape() => OpProperties.Gradient(ViewOps.Reshape);
    [Property(MaxTest = N)] public Property Flatten() => OpProperties.Gradient(ViewOps.Flatten);
    [Property(MaxTest = N)] public Property Permute() => OpProperties.Gradient(ViewOps.Permute);
    [Property(MaxTest = N)] public Property Transpose() => OpProperties.Gradient(ViewOps.Transpose);
    [Property(MaxTest = N)] public Property MatrixTranspose() => OpProperties.Gradient(ViewOps.MatrixTranspose);
    [Property(MaxTest = N)] public Property Expand() => OpProperties.Gradient(ViewOps.Expand);
    [Property(MaxTest = N)] public Property ExpandedViewAsInput() => OpProperties.Gradient(ViewOps.ExpandedInput);
    [Property(MaxTest = N)] public Property Squeeze() => OpProperties.Gradient(ViewOps.Squeeze);
    [Property(MaxTest = N)] public Property Unsqueeze() => OpProperties.Gradient(ViewOps.Unsqueeze);
    [Property(MaxTest = N)] public Property Contiguous() => OpProperties.Gradient(ViewOps.Contiguous);
    [Property(MaxTest = N)] public Property Clone() => OpProperties.Gradient(ViewOps.Clone);
}
