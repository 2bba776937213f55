using System.Globalization;
using System.Text;

namespace Lfm2Vl.Engine;

/// <summary>Readable text for tensors, in the style users know: nested brackets, elided middles for large
/// dimensions, then shape, dtype, device and grad function.</summary>
internal static class TensorFormatter
{
    private const int EdgeItems = 3;
    private const int Threshold = 1000;

    public static string Format(Tensor t)
    {
        if (t.IsDisposed) return $"tensor(<disposed>, shape={ShapeUtil.Format(t.Dims)})";
        double[] values = t.ToDoubleArray();
        bool summarize = values.Length > Threshold;
        bool isInt = t.DType == DType.Int32;
        var sb = new StringBuilder("tensor(");
        if (t.Rank == 0) sb.Append(Num(values.Length > 0 ? values[0] : 0, isInt));
        else Append(sb, values, t.Dims, 0, 0, summarize, isInt, 7);
        sb.Append(", shape=").Append(ShapeUtil.Format(t.Dims));
        sb.Append(", dtype=").Append(t.DType.Name());
        if (t.Device != Device.Cpu) sb.Append(", device=").Append(t.Device);
        if (t.GradFn is { } fn) sb.Append(", grad_fn=").Append(fn);
        else if (t.RequiresGrad) sb.Append(", requires_grad=True");
        return sb.Append(')').ToString();
    }

    private static string Num(double v, bool isInt) =>
        isInt ? ((long)v).ToString(CultureInfo.InvariantCulture) : v.ToString("0.0000", CultureInfo.InvariantCulture);

    private static void Append(StringBuilder sb, double[] v, int[] shape, int dim, int offset, bool summarize, bool isInt, int indent)
    {
        int n = shape[dim];
        int stride = 1;
        for (int d = dim + 1; d < shape.Length; d++) stride *= shape[d];
        sb.Append('[');
        for (int i = 0; i < n; i++)
        {
            if (summarize && n > 2 * EdgeItems && i == EdgeItems)
            {
                sb.Append(dim == shape.Length - 1 ? "..., " : "...,\n" + new string(' ', indent + dim + 1));
                i = n - EdgeItems - 1;
                continue;
            }
            if (dim == shape.Length - 1) sb.Append(Num(v[offset + i], isInt));
            else Append(sb, v, shape, dim + 1, offset + i * stride, summarize, isInt, indent);
            if (i < n - 1) sb.Append(dim == shape.Length - 1 ? ", " : ",\n" + new string(' ', indent + dim + 1));
        }
        sb.Append(']');
    }
}
