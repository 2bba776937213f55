namespace Lfm2Vl.Engine;

public static partial class Functional
{
    /// <summary>
    /// softmax(q k^T * scale + mask) v over the last two dimensions, for q [..., Lq, D], k [..., Lk, D],
    /// v [..., Lk, Dv] with equal leading dimensions. The mask is additive (use -inf to block) and broadcasts to
    /// [..., Lq, Lk]; scale defaults to 1/sqrt(D). The backend computes it row by row, so no Lq x Lk matrix is
    /// stored, and the backward recomputes probabilities from the saved log-sum-exp.
    /// </summary>
    public static Tensor ScaledDotProductAttention(Tensor q, Tensor k, Tensor v, Tensor? mask = null, double? scale = null)
    {
        Tensor.CheckSameDevice("attention", q, k);
        Tensor.CheckSameDevice("attention", q, v);
        if (q.Rank < 2 || k.Rank != q.Rank || v.Rank != q.Rank)
            throw new ArgumentException($"Attention expects q, k, v of one rank >= 2, got {ShapeUtil.Format(q.Dims)}, {ShapeUtil.Format(k.Dims)}, {ShapeUtil.Format(v.Dims)}.");
        var lead = q.Dims[..^2];
        if (!lead.SequenceEqual(k.Dims[..^2]) || !lead.SequenceEqual(v.Dims[..^2]))
            throw new ArgumentException("Attention: q, k and v must have the same leading (batch, head) dimensions.");
        int lq = q.Dims[^2], d = q.Dims[^1], lk = k.Dims[^2], dv = v.Dims[^1];
        if (k.Dims[^1] != d || v.Dims[^2] != lk)
            throw new ArgumentException($"Attention: k must be [..., Lk, {d}] and v [..., {lk}, Dv]; got {ShapeUtil.Format(k.Dims)} and {ShapeUtil.Format(v.Dims)}.");
        int b = ShapeUtil.Numel(lead);
        double sc = scale ?? 1.0 / Math.Sqrt(d);

        var q3 = q.ReshapeNoGrad([b, lq, d]); var k3 = k.ReshapeNoGrad([b, lk, d]); var v3 = v.ReshapeNoGrad([b, lk, dv]);
        Tensor? m3 = null;
        if (mask is not null)
        {
            if (mask.Device != q.Device || mask.DType != q.DType) throw new ArgumentException("Attention: the mask must have q's device and dtype.");
            var mb = mask.View.BroadcastTo([.. lead, lq, lk]);
            // Collapse the leading dims of the broadcast view into one batch dim (contiguous copy if needed).
            using var full = new Tensor(mask.Storage, mb.Offset, mb.Shape, mb.Strides, retain: true);
            m3 = full.ReshapeNoGrad([b, lq, lk]);
        }
        var o = q.NewEmpty([b, lq, dv]);
        var lse = q.NewEmpty([b, lq]);
        q.Backend.Attention(q3.View, k3.View, v3.View, m3?.View, o.View, lse.View, sc);
        var y = o.ReshapeNoGrad([.. lead, lq, dv]);
        o.Dispose();
        var (qShape, kShape, vShape) = (q.Shape, k.Shape, v.Shape);
        Tensor[] saved = m3 is null ? [q3, k3, v3, y, lse] : [q3, k3, v3, y, lse, m3];
        return Tensor.Record(y, "Attention", [q, k, v], saved, (g, s) =>
        {
            var go = g.ReshapeNoGrad([b, lq, dv]);
            var o3 = s[3].ReshapeNoGrad([b, lq, dv]);
            var dq = g.NewEmpty([b, lq, d]); var dk = g.NewEmpty([b, lk, d]); var dvv = g.NewEmpty([b, lk, dv]);
            g.Backend.AttentionBackward(s[0].View, s[1].View, s[2].View, s.Length > 5 ? s[5].View : null, o3.View, s[4].View, go.View, dq.View, dk.View, dvv.View, sc);
            return [dq.ReshapeNoGrad(qShape), dk.ReshapeNoGrad(kShape), dvv.ReshapeNoGrad(vShape)];
        });
    }
}
