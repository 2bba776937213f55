using System.Buffers;
using System.Numerics;
using System.Numerics.Tensors;

namespace Lfm2Vl.Engine.Backends.Cpu;

// Scaled dot-product attention, one query row at a time: memory is O(Lk) per worker, never Lq x Lk.
public sealed partial class CpuBackend
{
    private static void CheckAttention(in TensorView q, in TensorView k, in TensorView v, in TensorView o)
    {
        foreach (var t in new[] { q, k, v, o })
            if (t.Rank != 3 || !t.IsContiguous) throw new ArgumentException("Attention primitives need contiguous [B, L, D] tensors.");
        if (k.Shape[0] != q.Shape[0] || v.Shape[0] != q.Shape[0] || k.Shape[2] != q.Shape[2] || v.Shape[1] != k.Shape[1])
            throw new ArgumentException($"Attention: shapes q{ShapeUtil.Format(q.Shape)} k{ShapeUtil.Format(k.Shape)} v{ShapeUtil.Format(v.Shape)} do not fit.");
    }

    public void Attention(in TensorView q, in TensorView k, in TensorView v, in TensorView? mask, in TensorView o, in TensorView lse, double scale)
    {
        CheckAttention(q, k, v, o);
        CheckSameDType("attention", q, k, v, o, lse);
        var (qv, kv, vv, mv, ov, lv) = (q, k, v, mask, o, lse);
        Floating(q.DType, "attention", _ => AttnT<float>(qv, kv, vv, mv, ov, lv, (float)scale), _ => AttnT<double>(qv, kv, vv, mv, ov, lv, scale));
    }

    private static T MaskAt<T>(T[]? ms, TensorView? mask, int b, int i, int j) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (ms is null) return T.Zero;
        var m = mask!.Value;
        return ms[m.Offset + b * m.Strides[0] + i * m.Strides[1] + j * m.Strides[2]];
    }

    private static void AttnT<T>(TensorView q, TensorView k, TensorView v, TensorView? mask, TensorView o, TensorView lse, T scale) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int bsz = q.Shape[0], lq = q.Shape[1], d = q.Shape[2], lk = k.Shape[1], dv = v.Shape[2];
        T[] qs = Arr<T>(q), ks = Arr<T>(k), vs = Arr<T>(v), os = Arr<T>(o), ls = Arr<T>(lse);
        T[]? ms = mask is { } mv ? Arr<T>(mv) : null;
        Parallel.For(0, bsz * lq, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, () => ArrayPool<T>.Shared.Rent(lk), (row, _, s) =>
        {
            int b = row / lq, i = row % lq;
            var qi = new ReadOnlySpan<T>(qs, q.Offset + row * d, d);
            T max = T.NegativeInfinity;
            for (int j = 0; j < lk; j++)
            {
                s[j] = TensorPrimitives.Dot(qi, new ReadOnlySpan<T>(ks, k.Offset + (b * lk + j) * d, d)) * scale + MaskAt(ms, mask, b, i, j);
                if (s[j] > max) max = s[j];
            }
            var oi = new Span<T>(os, o.Offset + row * dv, dv);
            oi.Clear();
            if (T.IsNegativeInfinity(max)) { ls[lse.Offset + row] = T.NegativeInfinity; return s; } // fully masked row: output 0
            T sum = T.Zero;
            for (int j = 0; j < lk; j++)
            {
                T pj = T.Exp(s[j] - max);
                sum += pj;
                if (pj != T.Zero) TensorPrimitives.MultiplyAdd(new ReadOnlySpan<T>(vs, v.Offset + (b * lk + j) * dv, dv), pj, oi, oi);
            }
            TensorPrimitives.Divide(oi, sum, oi);
            ls[lse.Offset + row] = max + T.Log(sum);
            return s;
        }, s => ArrayPool<T>.Shared.Return(s));
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
        // Batches own disjoint slices of dk and dv, so workers split by batch and never race.
        Parallel.For(0, bsz, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, b =>
        {
            {
                var dkb = new Span<T>(dks, dk.Offset + b * lk * d, lk * d);
                var dvb = new Span<T>(dvs, dvv.Offset + b * lk * dv, lk * dv);
                dkb.Clear(); dvb.Clear();
                for (int i = 0; i < lq; i++)
                {
                    int row = b * lq + i;
                    var qi = new ReadOnlySpan<T>(qs, q.Offset + row * d, d);
                    var goi = new ReadOnlySpan<T>(gos, go.Offset + row * dv, dv);
                    var dqi = new Span<T>(dqs, dq.Offset + row * d, d);
                    dqi.Clear();
                    T l = ls[lse.Offset + row];
                    if (T.IsNegativeInfinity(l)) continue;
                    T di = TensorPrimitives.Dot(goi, new ReadOnlySpan<T>(os, o.Offset + row * dv, dv));
                    for (int j = 0; j < lk; j++)
                    {
                        var kj = new ReadOnlySpan<T>(ks, k.Offset + (b * lk + j) * d, d);
                        T pj = T.Exp(TensorPrimitives.Dot(qi, kj) * scale + MaskAt(ms, mask, b, i, j) - l);
                        if (pj == T.Zero) continue;
                        var vj = new ReadOnlySpan<T>(vs, v.Offset + (b * lk + j) * dv, dv);
                        var dvj = dvb.Slice(j * dv, dv);
                        TensorPrimitives.MultiplyAdd(goi, pj, dvj, dvj);              // dV_j += p_ij dO_i
                        T ds = pj * (TensorPrimitives.Dot(goi, vj) - di) * scale;     // dS_ij, with the scale folded in
                        TensorPrimitives.MultiplyAdd(kj, ds, dqi, dqi);               // dQ_i += dS_ij K_j
                        var dkj = dkb.Slice(j * d, d);
                        TensorPrimitives.MultiplyAdd(qi, ds, dkj, dkj);               // dK_j += dS_ij Q_i
                    }
                }
            }
        });
    }
}
