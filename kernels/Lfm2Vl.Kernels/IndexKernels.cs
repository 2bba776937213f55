using ILGPU;

namespace Lfm2Vl.Kernels;

/// <summary>
/// Gather and scatter-add along one axis. Index values out of range never throw on a device: the kernel
/// writes an <see cref="IndexErrorCode"/> into err[0] (the host checks it at its next synchronization) and
/// the element is skipped (gather writes zero).
/// </summary>
public static class IndexKernels
{
    /// <summary>
    /// d[c] = x[c with the axis coordinate replaced by idx[c]]. The x strides carry 0 on the axis; the axis
    /// stride comes separately. index_select is the same kernel with an index view broadcast to d's shape.
    /// </summary>
    public static void Gather<T>(int n, Dims8 shape, Strides8 xs, Strides8 ds, Strides8 ixs, int axisStride, int limit,
        ArrayView<T> x, ArrayView<T> d, ArrayView<int> idx, ArrayView<int> err) where T : unmanaged
    {
        for (int i = Grid.GlobalIndex.X; i < n; i += Grid.DimX * Group.DimX)
        {
            var c = shape.Decompose(i);
            int j = idx[ixs.At(c)];
            if ((uint)j >= (uint)limit)
            {
                err[0] = IndexErrorCode.Gather;
                d[ds.At(c)] = default;
            }
            else d[ds.At(c)] = x[xs.At(c) + j * axisStride];
        }
    }

    /// <summary>
    /// d[c with axis = idx[k]] += src[k] for every index position k, computed per destination element (each
    /// thread loops over the index entries along the axis that share its other coordinates), so no float
    /// atomics are needed. Shapes are full rank (unmerged) so coordinates can be compared.
    /// index_add is the same kernel with a 1-D index broadcast to the source's shape.
    /// </summary>
    public static void ScatterAdd<T, A>(int n, Dims8 dShape, Strides8 ds, Dims8 ixShape, Strides8 ixs, Strides8 ss, int axisPos,
        ArrayView<T> d, ArrayView<int> idx, ArrayView<T> src, ArrayView<int> err)
        where T : unmanaged where A : struct, IAddable<T>
    {
        A add = default;
        int axisLen = ixShape.Get(axisPos), limit = dShape.Get(axisPos);
        for (int i = Grid.GlobalIndex.X; i < n; i += Grid.DimX * Group.DimX)
        {
            var c = dShape.Decompose(i);
            bool inside = true;
            for (int p = 0; p < dShape.Rank; p++)
                if (p != axisPos && c.Get(p) >= ixShape.Get(p)) inside = false;
            if (!inside) continue;
            int target = c.Get(axisPos);
            T acc = add.Zero;
            bool hit = false;
            for (int j = 0; j < axisLen; j++)
            {
                var cj = c.With(axisPos, j);
                int v = idx[ixs.At(cj)];
                if ((uint)v >= (uint)limit) err[0] = IndexErrorCode.ScatterAdd;
                else if (v == target)
                {
                    acc = add.Add(acc, src[ss.At(cj)]);
                    hit = true;
                }
            }
            if (hit) d[ds.At(c)] = add.Add(d[ds.At(c)], acc);
        }
    }
}
