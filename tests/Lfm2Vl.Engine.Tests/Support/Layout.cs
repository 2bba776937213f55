namespace Lfm2Vl.Engine.Tests.Support;

public enum LayoutKind
{
    Contiguous,
    /// <summary>Stored in another dimension order and permuted back: a transposed, non-contiguous view.</summary>
    Permuted,
    /// <summary>A slice of a larger buffer along one dimension (non-zero offset, padding filled with NaN).</summary>
    Narrowed,
}

/// <summary>How an input tensor is laid out in memory; its logical shape and values do not depend on it.</summary>
public sealed record Layout(LayoutKind Kind, int[] Perm, int Dim, int PadBefore, int PadAfter)
{
    public static readonly Layout Contiguous = new(LayoutKind.Contiguous, [], 0, 0, 0);

    public static Layout Permuted(int[] perm) => new(LayoutKind.Permuted, perm, 0, 0, 0);

    public static Layout Narrowed(int dim, int before, int after) => new(LayoutKind.Narrowed, [], dim, before, after);

    public override string ToString() => Kind switch
    {
        LayoutKind.Permuted => $"permuted({string.Join(",", Perm)})",
        LayoutKind.Narrowed => $"narrowed(dim {Dim}, pad {PadBefore}+{PadAfter})",
        _ => "contiguous",
    };

    /// <summary>
    /// A tensor with the logical contents of <paramref name="logical"/> in this layout, built without
    /// autograd (the result is a leaf). NaN padding makes a kernel that reads outside the view visible.
    /// </summary>
    public Tensor Apply(Tensor logical)
    {
        using var noGrad = GradMode.NoGrad();
        switch (Kind)
        {
            case LayoutKind.Permuted:
                var inverse = new int[Perm.Length];
                for (int i = 0; i < Perm.Length; i++) inverse[Perm[i]] = i;
                return logical.Permute(Perm).Contiguous().Permute(inverse);
            case LayoutKind.Narrowed:
                var shape = logical.Shape;
                var parts = new List<Tensor>();
                if (PadBefore > 0) parts.Add(PadOf(shape, PadBefore, logical.DType));
                parts.Add(logical);
                if (PadAfter > 0) parts.Add(PadOf(shape, PadAfter, logical.DType));
                return Tensor.Concat(parts, Dim).Narrow(Dim, PadBefore, shape[Dim]);
            default:
                return logical;
        }
    }

    private Tensor PadOf(int[] shape, int extent, DType dtype)
    {
        var s = (int[])shape.Clone();
        s[Dim] = extent;
        return Tensor.Full(s, double.NaN, dtype);
    }
}
