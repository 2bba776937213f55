using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;

namespace Lfm2Vl.Engine.Backends.Cpu;

// Scaled dot-product attention in blocks of query rows: per (batch, head) item, a block's scores S = Q K^T, its
// softmax and P V (and in the backward dP = dO V^T, dQ = dS K, dK += dS^T Q, dV += P^T dO) are GEMMs on the packed
// micro-kernel. Scratch is one block x Lk score matrix per worker (a few hundred KiB), never Lq x Lk for long
// sequences. Items are spread over the cores with serial GEMMs inside; a single item gets parallel GEMMs.
public sealed partial class CpuBackend
{
    /// <summary>Target elements of one block's score matrix (256 KiB of floats: it stays in L2).</summary>
    private const int AttentionBlockElements = 64 << 10;

    private static void CheckAttention(in TensorView q, in TensorView k, in TensorView v, in TensorView o)
    {
        foreach (var t in new[] { q, k, v, o })
            if (t.Rank != 3 || !t.IsContiguous) throw new ArgumentException("Attention primitives need contiguous [B, L, D] tensors.");
        if (k.Shape[0] != q.Shape[0] || v.Shape[0] != q.Shape[0] || k.Shape[2] != q.Shape[2] || v.Shape[1] != k.Shape[1])
            throw new ArgumentException($"Attention: shapes q{ShapeUtil.Format(q.Shape)} k{ShapeUtil.Format(k.Shape)} v{ShapeUtil.Format(v.Shape)} do not fit.");
    }

    /// <summary>Query rows per block: all of them when the block fits the target, else a slice (at least 16).</summary>
    private static int AttentionRows(int lq, int lk) => Math.Max(1, Math.Min(lq, Math.Max(16, AttentionBlockElements / Math.Max(1, lk))));

    /// <summary>s[0..lk) = s * scale + mask[b, i, :] (the mask view may broadcast along any dimension).</summary>
    private static void ScaleAndMask<T>(Span<T> s, T scale, T[]? ms, TensorView? mask, int b, int i) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Multiply(s, scale, s);
        if (ms is null) return;
        var m = mask!.Value;
        int off = m.Offset + b * m.Strides[0] + i * m.Strides[1], st = m.Strides[2];
        if (st == 1) TensorPrimitives.Add(s, new ReadOnlySpan<T>(ms, off, s.Length), s);
        else for (int j = 0; j < s.Length; j++) s[j] += ms[off + j * st];
    }

    public void Attention(in TensorView q, in TensorView k, in TensorView v, in TensorView? mask, in TensorView o, in TensorView lse, double scale)
    {
        CheckAttention(q, k, v, o);
        CheckSameDType("attention", q, k, v, o, lse);
        var (qv, kv, vv, mv, ov, lv) = (q, k, v, mask, o, lse);
        Floating(q.DType, "attention", _ => AttnT<float>(qv, kv, vv, mv, ov, lv, (float)scale), _ => AttnT<double>(qv, kv, vv, mv, ov, lv, scale));
    }

    private static void AttnT<T>(TensorView q, TensorView k, TensorView v, TensorView? mask, TensorView o, TensorView lse, T scale) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int bsz = q.Shape[0], lq = q.Shape[1], d = q.Shape[2], lk = k.Shape[1], dv = v.Shape[2];
        T[] qs = Arr<T>(q), ks = Arr<T>(k), vs = Arr<T>(v), os = Arr<T>(o), ls = Arr<T>(lse);
        T[]? ms = mask is { } mv ? Arr<T>(mv) : null;
        int rows = AttentionRows(lq, lk), workers = Workers(bsz);
        bool inner = workers == 1;
        var scores = RentBuffers<T>(workers, rows * lk);
        ForItems(bsz, (b, t) =>
        {
            var s = scores[t];
            for (int i0 = 0; i0 < lq; i0 += rows)
            {
                int r = Math.Min(rows, lq - i0), row0 = b * lq + i0;
                var ob = new Span<T>(os, o.Offset + row0 * dv, r * dv);
                if (lk == 0) { ob.Clear(); ls.AsSpan(lse.Offset + row0, r).Fill(T.NegativeInfinity); continue; }
                // S = Q_blk K^T (K^T has row stride 1, column stride d).
                Gemm.Run(r, lk, d, qs, q.Offset + row0 * d, d, 1, ks, k.Offset + b * lk * d, 1, d, s, 0, lk, false, inner);
                for (int i = 0; i < r; i++)
                {
                    var si = s.AsSpan(i * lk, lk);
                    ScaleAndMask(si, scale, ms, mask, b, i0 + i);
                    T max = TensorPrimitives.Max<T>(si);
                    if (T.IsNegativeInfinity(max)) { si.Clear(); ls[lse.Offset + row0 + i] = T.NegativeInfinity; continue; } // fully masked: output 0
                    TensorPrimitives.Subtract(si, max, si);
                    TensorPrimitives.Exp<T>(si, si);
                    T sum = TensorPrimitives.Sum<T>(si);
                    TensorPrimitives.Multiply(si, T.One / sum, si);
                    ls[lse.Offset + row0 + i] = max + T.Log(sum);
                }
                // O_blk = P V.
                Gemm.Run(r, dv, lk, s, 0, lk, 1, vs, v.Offset + b * lk * dv, dv, 1, os, o.Offset + row0 * dv, dv, false, inner);
            }
        });
        ReturnBuffers(scores);
    }

    public void AttentionBackward(in TensorView q, in TensorView k, in TensorView v, in TensorView? mask, in TensorView o, in TensorView lse,
        in TensorView go, in TensorView dq, in TensorView dk, in TensorView dv, double scale)
    {
        CheckAttention(q, k, v, o);
        CheckSameDType("attention backward", q, k, v, o, lse, go, dq, dk, dv);
        var a = (q, k, v, mask, o, lse, go, dq, dk, dv);
        Floating(q.DType, "attention backward",
            _ => AttnBackT<float>(a.q, a.k, a.v, a.mask, a.o, a.lse, a.go, a.dq, a.dk, a.dv, (float)scale),
            _ => AttnBackT<double>(a.q, a.k, a.v, a.mask, a.o, a.lse, a.go, a.dq, a.dk, a.dv, scale));
    }

    private static void AttnBackT<T>(TensorView q, TensorView k, TensorView v, TensorView? mask, TensorView o, TensorView lse,
        TensorView go, TensorView dq, TensorView dk, TensorView dvv, T scale) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int bsz = q.Shape[0], lq = q.Shape[1], d = q.Shape[2], lk = k.Shape[1], dv = v.Shape[2];
        T[] qs = Arr<T>(q), ks = Arr<T>(k), vs = Arr<T>(v), os = Arr<T>(o), ls = Arr<T>(lse), gos = Arr<T>(go);
        T[] dqs = Arr<T>(dq), dks = Arr<T>(dk), dvs = Arr<T>(dvv);
        T[]? ms = mask is { } mv ? Arr<T>(mv) : null;
        int rows = AttentionRows(lq, lk), workers = Workers(bsz);
        bool inner = workers == 1;
        var probs = RentBuffers<T>(workers, rows * lk);
        var dScores = RentBuffers<T>(workers, rows * lk);
        // Items are batches, which own disjoint slices of dk and dv: no races.
        ForItems(bsz, (b, t) =>
        {
            T[] p = probs[t], ds = dScores[t];
            int kOff = k.Offset + b * lk * d, vOff = v.Offset + b * lk * dv;
            if (lq == 0 || lk == 0)
            {
                dks.AsSpan(dk.Offset + b * lk * d, lk * d).Clear();
                dvs.AsSpan(dvv.Offset + b * lk * dv, lk * dv).Clear();
                dqs.AsSpan(dq.Offset + b * lq * d, lq * d).Clear();
                return;
            }
            for (int i0 = 0; i0 < lq; i0 += rows)
            {
                int r = Math.Min(rows, lq - i0), row0 = b * lq + i0;
                bool accumulate = i0 > 0;
                // P = exp(Q K^T * scale + mask - lse), recomputed; fully masked rows are 0.
                Gemm.Run(r, lk, d, qs, q.Offset + row0 * d, d, 1, ks, kOff, 1, d, p, 0, lk, false, inner);
                for (int i = 0; i < r; i++)
                {
                    var pi = p.AsSpan(i * lk, lk);
                    T l = ls[lse.Offset + row0 + i];
                    if (T.IsNegativeInfinity(l)) { pi.Clear(); continue; }
                    ScaleAndMask(pi, scale, ms, mask, b, i0 + i);
                    TensorPrimitives.Subtract(pi, l, pi);
                    TensorPrimitives.Exp<T>(pi, pi);
                }
                int goOff = go.Offset + row0 * dv;
                // dV += P^T dO_blk (P^T has row stride 1, column stride lk).
                Gemm.Run(lk, dv, r, p, 0, 1, lk, gos, goOff, dv, 1, dvs, dvv.Offset + b * lk * dv, dv, accumulate, inner);
                // dP = dO_blk V^T, then dS = P (dP - rowsum(dO o O)) * scale in place.
                Gemm.Run(r, lk, dv, gos, goOff, dv, 1, vs, vOff, 1, dv, ds, 0, lk, false, inner);
                for (int i = 0; i < r; i++)
                {
                    T di = TensorPrimitives.Dot(new ReadOnlySpan<T>(gos, goOff + i * dv, dv), new ReadOnlySpan<T>(os, o.Offset + (row0 + i) * dv, dv));
                    var dsi = ds.AsSpan(i * lk, lk);
                    TensorPrimitives.Subtract(dsi, di, dsi);
                    TensorPrimitives.Multiply(dsi, p.AsSpan(i * lk, lk), dsi);
                    TensorPrimitives.Multiply(dsi, scale, dsi);
                }
                // dQ_blk = dS K; dK += dS^T Q_blk.
                Gemm.Run(r, d, lk, ds, 0, lk, 1, ks, kOff, d, 1, dqs, dq.Offset + row0 * d, d, false, inner);
                Gemm.Run(lk, d, r, ds, 0, 1, lk, qs, q.Offset + row0 * d, d, 1, dks, dk.Offset + b * lk * d, d, accumulate, inner);
            }
        });
        ReturnBuffers(probs);
        ReturnBuffers(dScores);
    }
}
