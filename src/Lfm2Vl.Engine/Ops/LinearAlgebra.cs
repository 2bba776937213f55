namespace Lfm2Vl.Engine;

public sealed partial class Tensor
{
    /// <summary>
    /// Matrix product with NumPy/PyTorch semantics: 1-D operands are promoted and the added dimension is
    /// removed afterwards; batch dimensions broadcast.
    /// </summary>
    public static Tensor MatMul(Tensor a, Tensor b)
    {
        CheckSameDevice("matmul", a, b);
        if (a.Rank == 0 || b.Rank == 0) throw new ArgumentException("MatMul needs tensors of rank 1 or more.");
        if (a.Rank == 1 && b.Rank == 1) return (a * b).Sum();
        if (a.Rank == 1) return MatMul(a.Unsqueeze(0), b).Squeeze(-2);
        if (b.Rank == 1) return MatMul(a, b.Unsqueeze(-1)).Squeeze(-1);

        int m = a._shape[^2], k = a._shape[^1], k2 = b._shape[^2], n = b._shape[^1];
        if (k != k2)
            throw new ArgumentException($"MatMul: inner dimensions differ, {ShapeUtil.Format(a._shape)} @ {ShapeUtil.Format(b._shape)} ({k} vs {k2}).");
        if (b.Rank == 2 && a.Rank > 2 && a.IsContiguous)
        {
            // A stack of row blocks times one matrix (a Linear layer on [B, T, D]) is one GEMM over the
            // flattened rows: one large product instead of B small ones, and in backward the weight
            // gradient becomes a single rows^T @ dy GEMM rather than B products summed afterwards.
            int[] rowsShape = [.. a._shape.AsSpan(0, a.Rank - 1), n];
            return MatMul(a.Reshape(-1, k), b).Reshape(rowsShape);
        }
        var batch = ShapeUtil.Broadcast(a._shape.AsSpan(0, a.Rank - 2), b._shape.AsSpan(0, b.Rank - 2));
        int[] outShape = [.. batch, m, n];
        var y = a.NewEmpty(outShape);
        a.Backend.MatMul(a.View.BroadcastTo([.. batch, m, k]), b.View.BroadcastTo([.. batch, k, n]), y.View);
        return Record(y, "MatMul", [a, b], [a, b], (g, s) =>
        [
            a.RequiresGrad ? MatMul(g, s[1].T).SumTo(a._shape) : null,
            b.RequiresGrad ? MatMul(s[0].T, g).SumTo(b._shape) : null,
        ]);
    }

    public Tensor MatMul(Tensor other) => MatMul(this, other);
}
