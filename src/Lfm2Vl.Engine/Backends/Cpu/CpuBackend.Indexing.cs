namespace Lfm2Vl.Engine.Backends.Cpu;

public sealed partial class CpuBackend
{
    private static int[] ReadIndex(in TensorView index, int limit, string what)
    {
        if (index.DType != DType.Int32) throw new ArgumentException($"{what}: indices must be int32, got {index.DType.Name()}.");
        var ix = Arr<int>(index);
        var result = new int[index.Numel];
        int i = 0;
        ForEachOffset(index, off => result[i++] = ix[off]);
        foreach (var v in result)
            if (v < 0 || v >= limit) throw new IndexOutOfRangeException($"{what}: index {v} is out of range for a dimension of size {limit}.");
        return result;
    }

    /// <summary>Visits the storage offset of every element of a view in row-major order.</summary>
    private static void ForEachOffset(in TensorView v, Action<int> visit)
    {
        int n = v.Numel;
        if (n == 0) return;
        var idx = new int[v.Rank];
        for (int e = 0; e < n; e++)
        {
            int off = v.Offset;
            for (int d = 0; d < v.Rank; d++) off += idx[d] * v.Strides[d];
            visit(off);
            for (int d = v.Rank - 1; d >= 0; d--) { if (++idx[d] < v.Shape[d]) break; idx[d] = 0; }
        }
    }

    private static TensorView Narrow(in TensorView v, int axis, int start, int length)
    {
        var shape = (int[])v.Shape.Clone();
        shape[axis] = length;
        return new TensorView(v.Storage, v.Offset + start * v.Strides[axis], shape, v.Strides);
    }

    public void IndexSelect(in TensorView x, int axis, in TensorView index, in TensorView dst)
    {
        var ix = ReadIndex(index, x.Shape[axis], "index_select");
        for (int j = 0; j < ix.Length; j++)
            Copy(Narrow(x, axis, ix[j], 1), Narrow(dst, axis, j, 1));
    }

    public void IndexAdd(in TensorView dst, int axis, in TensorView index, in TensorView src)
    {
        CheckSameDType("index_add", dst, src);
        var ix = ReadIndex(index, dst.Shape[axis], "index_add");
        for (int j = 0; j < ix.Length; j++)
        {
            var d = Narrow(dst, axis, ix[j], 1);
            Binary(BinaryOp.Add, d, Narrow(src, axis, j, 1), d);
        }
    }

    public void Gather(in TensorView x, int axis, in TensorView index, in TensorView dst)
    {
        CheckSameDType("gather", x, dst);
        var ix = ReadIndex(index, x.Shape[axis], "gather");
        var xv = x; var dv = dst;
        switch (x.DType)
        {
            case DType.Float32: GatherT(Arr<float>(xv), Arr<float>(dv)); break;
            case DType.Float64: GatherT(Arr<double>(xv), Arr<double>(dv)); break;
            case DType.Int32: GatherT(Arr<int>(xv), Arr<int>(dv)); break;
        }

        void GatherT<T>(T[] xs, T[] ds) where T : unmanaged
        {
            int e = 0;
            ForEachCoord(dv.Shape, coord =>
            {
                int xo = xv.Offset, dof = dv.Offset;
                for (int d = 0; d < coord.Length; d++)
                {
                    xo += (d == axis ? ix[e] : coord[d]) * xv.Strides[d];
                    dof += coord[d] * dv.Strides[d];
                }
                ds[dof] = xs[xo];
                e++;
            });
        }
    }

    public void ScatterAdd(in TensorView dst, int axis, in TensorView index, in TensorView src)
    {
        CheckSameDType("scatter_add", dst, src);
        var ix = ReadIndex(index, dst.Shape[axis], "scatter_add");
        var sv = src; var dv = dst; var indexShape = index.Shape;
        switch (dst.DType)
        {
            case DType.Float32: ScatterT(Arr<float>(sv), Arr<float>(dv), (p, q) => p + q); break;
            case DType.Float64: ScatterT(Arr<double>(sv), Arr<double>(dv), (p, q) => p + q); break;
            case DType.Int32: ScatterT(Arr<int>(sv), Arr<int>(dv), (p, q) => p + q); break;
        }

        void ScatterT<T>(T[] ss, T[] ds, Func<T, T, T> add) where T : unmanaged
        {
            int e = 0;
            ForEachCoord(indexShape, coord =>
            {
                int so = sv.Offset, dof = dv.Offset;
                for (int d = 0; d < coord.Length; d++)
                {
                    so += coord[d] * sv.Strides[d];
                    dof += (d == axis ? ix[e] : coord[d]) * dv.Strides[d];
                }
                ds[dof] = add(ds[dof], ss[so]);
                e++;
            });
        }
    }

    private static void ForEachCoord(int[] shape, Action<int[]> visit)
    {
        int n = ShapeUtil.Numel(shape);
        var idx = new int[shape.Length];
        for (int e = 0; e < n; e++)
        {
            visit(idx);
            for (int d = shape.Length - 1; d >= 0; d--) { if (++idx[d] < shape[d]) break; idx[d] = 0; }
        }
    }
}
