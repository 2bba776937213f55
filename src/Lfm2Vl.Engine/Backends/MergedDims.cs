namespace Lfm2Vl.Engine;

/// <summary>
/// Several views of one shape walked together, with extent-1 dimensions dropped and neighbours that are
/// contiguous in every view merged, so a backend's loop or kernel decomposes as few dimensions as possible
/// (the common cases become one long row). Shared by the CPU loops and the accelerator launch layouts.
/// </summary>
public sealed class MergedDims
{
    private MergedDims(int[] shape, int[][] strides)
    {
        Shape = shape;
        Strides = strides;
    }

    /// <summary>The merged extents, outermost first (empty when every extent was 1).</summary>
    public int[] Shape { get; }
    /// <summary>Per merged dimension, each view's stride.</summary>
    public int[][] Strides { get; }
    public int Rank => Shape.Length;

    public static MergedDims Of(int[] shape, ReadOnlySpan<TensorView> views)
    {
        int k = views.Length;
        var mShape = new List<int>();
        var mStrides = new List<int[]>();
        for (int d = 0; d < shape.Length; d++)
        {
            if (shape[d] == 1) continue;
            var st = new int[k];
            for (int v = 0; v < k; v++) st[v] = views[v].Strides[d];
            if (mShape.Count > 0)
            {
                int last = mShape.Count - 1;
                bool merge = true;
                for (int v = 0; v < k; v++)
                    if (mStrides[last][v] != st[v] * shape[d]) { merge = false; break; }
                if (merge)
                {
                    mShape[last] *= shape[d];
                    mStrides[last] = st;
                    continue;
                }
            }
            mShape.Add(shape[d]);
            mStrides.Add(st);
        }
        return new MergedDims([.. mShape], [.. mStrides]);
    }
}
