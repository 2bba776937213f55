using Lfm2Vl.Kernels;

namespace Lfm2Vl.Engine.Ilgpu;

/// <summary>Builds the by-value shape and stride structs kernels take, from engine views.</summary>
internal static class LaunchLayout
{
    /// <summary>
    /// Shape and per-view strides for walking several views of one shape together: extent-1 dimensions are
    /// dropped and neighbours contiguous in every view merged, so the kernel decomposes few dimensions.
    /// </summary>
    public static (Dims8 Dims, Strides8[] Strides) Merge(int[] shape, params TensorView[] views)
    {
        int k = views.Length;
        var merged = MergedDims.Of(shape, views);
        var mShape = merged.Shape;
        var mStrides = merged.Strides;
        if (mShape.Length > Dims8.MaxRank)
            throw new NotSupportedException($"The ILGPU backend handles at most {Dims8.MaxRank} non-mergeable dimensions; shape {ShapeUtil.Format(shape)} has {mShape.Length}. Make the tensor contiguous first.");
        var dims = Dims(mShape);
        var strides = new Strides8[k];
        for (int v = 0; v < k; v++) strides[v] = Strides(views[v].Offset, mStrides.Select(s => s[v]).ToArray());
        return (dims, strides);
    }

    /// <summary>A shape given outermost first, stored innermost first (unused dimensions have extent 1).</summary>
    public static Dims8 Dims(IReadOnlyList<int> shape)
    {
        if (shape.Count > Dims8.MaxRank)
            throw new NotSupportedException($"The ILGPU backend handles tensors of rank at most {Dims8.MaxRank}, got {shape.Count}.");
        Span<int> d = stackalloc int[Dims8.MaxRank];
        d.Fill(1);
        for (int i = 0; i < shape.Count; i++) d[i] = shape[shape.Count - 1 - i];
        return new Dims8
        {
            Rank = Math.Max(shape.Count, 1),
            D0 = d[0], D1 = d[1], D2 = d[2], D3 = d[3], D4 = d[4], D5 = d[5], D6 = d[6], D7 = d[7],
        };
    }

    /// <summary>Strides given outermost first, stored innermost first (unused ones 0).</summary>
    public static Strides8 Strides(int offset, IReadOnlyList<int> strides)
    {
        if (strides.Count > Dims8.MaxRank)
            throw new NotSupportedException($"The ILGPU backend handles tensors of rank at most {Dims8.MaxRank}, got {strides.Count}.");
        Span<int> s = stackalloc int[Dims8.MaxRank];
        s.Clear();
        for (int i = 0; i < strides.Count; i++) s[i] = strides[strides.Count - 1 - i];
        return new Strides8 { Offset = offset, S0 = s[0], S1 = s[1], S2 = s[2], S3 = s[3], S4 = s[4], S5 = s[5], S6 = s[6], S7 = s[7] };
    }
}
