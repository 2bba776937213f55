using ILGPU;

namespace Lfm2Vl.Kernels;

/// <summary>
/// Shapes of scaled dot-product attention: q [B, Lq, D], k [B, Lk, D], v [B, Lk, Dv], o [B, Lq, Dv], all
/// contiguous; an optional additive mask read at b * MaskSB + i * MaskSI + j * MaskSJ.
/// </summary>
public struct AttnArgs
{
    public int B, Lq, Lk, D, Dv;
    public int HasMask, MaskSB, MaskSI, MaskSJ;
}

/// <summary>
/// Fused attention, one group per row. Keys (or queries, in the key-side backward) are visited in blocks of
/// one group: each thread scores one of them, the block's values are shared through shared memory, and each
/// thread owns a strided subset of the output columns. The forward keeps a running max and sum (online
/// softmax), so no Lq x Lk matrix exists anywhere; the backward recomputes probabilities from the saved
/// log-sum-exp. dK and dV are produced by a key-side pass instead of atomics.
/// </summary>
public static class AttentionKernels
{
    private static T Score<T, O>(in AttnArgs a, T scale, ArrayView<T> q, ArrayView<T> k, ArrayView<T> mask, int bi, int i, int j)
        where T : unmanaged where O : struct, INum<T>
    {
        O o = default;
        int qb = (bi * a.Lq + i) * a.D, kb = (bi * a.Lk + j) * a.D;
        T dot = o.Zero;
        for (int c = 0; c < a.D; c++) dot = o.Add(dot, o.Mul(q[qb + c], k[kb + c]));
        T s = o.Mul(dot, scale);
        return a.HasMask != 0 ? o.Add(s, mask[bi * a.MaskSB + i * a.MaskSI + j * a.MaskSJ]) : s;
    }

    private static T Dot<T, O>(ArrayView<T> x, int xb, ArrayView<T> y, int yb, int n) where T : unmanaged where O : struct, INum<T>
    {
        O o = default;
        T s = o.Zero;
        for (int c = 0; c < n; c++) s = o.Add(s, o.Mul(x[xb + c], y[yb + c]));
        return s;
    }

    public static void Forward<T, O>(AttnArgs a, T scale, ArrayView<T> q, ArrayView<T> k, ArrayView<T> v, ArrayView<T> mask,
        ArrayView<T> outp, ArrayView<T> lse)
        where T : unmanaged where O : struct, INum<T>
    {
        var probs = SharedMemory.Allocate<T>(GroupTree.MaxGroup);
        var scratch = SharedMemory.Allocate<T>(GroupTree.MaxGroup);
        O o = default;
        int t = Group.IdxX, gs = Group.DimX;
        for (int row = Grid.IdxX; row < a.B * a.Lq; row += Grid.DimX)
        {
            int bi = row / a.Lq, i = row % a.Lq, ob = row * a.Dv;
            for (int c = t; c < a.Dv; c += gs) outp[ob + c] = o.Zero;
            T m = o.NegInf, l = o.Zero;
            for (int j0 = 0; j0 < a.Lk; j0 += gs)
            {
                int j = j0 + t;
                T s = j < a.Lk ? Score<T, O>(a, scale, q, k, mask, bi, i, j) : o.NegInf;
                T nm = GroupTree.Reduce<T, O>(scratch, s, ReduceCode.Max);
                if (o.Gt(m, nm)) nm = m;
                T p = o.IsNegInf(nm) || o.IsNegInf(s) ? o.Zero : o.Exp(o.Sub(s, nm));
                probs[t] = p;
                T blockSum = GroupTree.Reduce<T, O>(scratch, p, ReduceCode.Sum); // its barriers publish probs too
                T alpha = o.IsNegInf(m) ? o.Zero : o.Exp(o.Sub(m, nm));
                l = o.Add(o.Mul(l, alpha), blockSum);
                int count = a.Lk - j0 < gs ? a.Lk - j0 : gs;
                int vb = (bi * a.Lk + j0) * a.Dv;
                for (int c = t; c < a.Dv; c += gs)
                {
                    T acc = o.Mul(outp[ob + c], alpha);
                    for (int jj = 0; jj < count; jj++) acc = o.Add(acc, o.Mul(probs[jj], v[vb + jj * a.Dv + c]));
                    outp[ob + c] = acc;
                }
                m = nm;
                Group.Barrier();
            }
            if (o.IsNegInf(m))
            {
                // Fully masked row: output 0 (already), log-sum-exp -inf.
                if (t == 0) lse[row] = o.NegInf;
            }
            else
            {
                for (int c = t; c < a.Dv; c += gs) outp[ob + c] = o.Div(outp[ob + c], l);
                if (t == 0) lse[row] = o.Add(m, o.Log(l));
            }
        }
    }

    /// <summary>dQ, one group per query row; also stores D_i = dO_i . O_i for the key-side pass.</summary>
    public static void BackwardQuery<T, O>(AttnArgs a, T scale, ArrayView<T> q, ArrayView<T> k, ArrayView<T> v, ArrayView<T> mask,
        ArrayView<T> outp, ArrayView<T> lse, ArrayView<T> go, ArrayView<T> dq, ArrayView<T> delta)
        where T : unmanaged where O : struct, INum<T>
    {
        var ds = SharedMemory.Allocate<T>(GroupTree.MaxGroup);
        var scratch = SharedMemory.Allocate<T>(GroupTree.MaxGroup);
        O o = default;
        int t = Group.IdxX, gs = Group.DimX;
        for (int row = Grid.IdxX; row < a.B * a.Lq; row += Grid.DimX)
        {
            int bi = row / a.Lq, i = row % a.Lq, ob = row * a.Dv, qb = row * a.D;
            T part = o.Zero;
            for (int c = t; c < a.Dv; c += gs) part = o.Add(part, o.Mul(go[ob + c], outp[ob + c]));
            T di = GroupTree.Reduce<T, O>(scratch, part, ReduceCode.Sum);
            if (t == 0) delta[row] = di;
            for (int c = t; c < a.D; c += gs) dq[qb + c] = o.Zero;
            T lrow = lse[row];
            if (o.IsNegInf(lrow)) continue;
            for (int j0 = 0; j0 < a.Lk; j0 += gs)
            {
                int j = j0 + t;
                T d = o.Zero;
                if (j < a.Lk)
                {
                    T p = o.Exp(o.Sub(Score<T, O>(a, scale, q, k, mask, bi, i, j), lrow));
                    T dp = Dot<T, O>(go, ob, v, (bi * a.Lk + j) * a.Dv, a.Dv);
                    d = o.Mul(o.Mul(p, o.Sub(dp, di)), scale);
                }
                ds[t] = d;
                Group.Barrier();
                int count = a.Lk - j0 < gs ? a.Lk - j0 : gs;
                int kb = (bi * a.Lk + j0) * a.D;
                for (int c = t; c < a.D; c += gs)
                {
                    T acc = dq[qb + c];
                    for (int jj = 0; jj < count; jj++) acc = o.Add(acc, o.Mul(ds[jj], k[kb + jj * a.D + c]));
                    dq[qb + c] = acc;
                }
                Group.Barrier();
            }
        }
    }

    /// <summary>dK and dV, one group per key row, visiting the queries in blocks.</summary>
    public static void BackwardKey<T, O>(AttnArgs a, T scale, ArrayView<T> q, ArrayView<T> k, ArrayView<T> v, ArrayView<T> mask,
        ArrayView<T> lse, ArrayView<T> go, ArrayView<T> delta, ArrayView<T> dk, ArrayView<T> dv)
        where T : unmanaged where O : struct, INum<T>
    {
        var ps = SharedMemory.Allocate<T>(GroupTree.MaxGroup);
        var ds = SharedMemory.Allocate<T>(GroupTree.MaxGroup);
        O o = default;
        int t = Group.IdxX, gs = Group.DimX;
        for (int row = Grid.IdxX; row < a.B * a.Lk; row += Grid.DimX)
        {
            int bi = row / a.Lk, j = row % a.Lk, kb = row * a.D, vb = row * a.Dv;
            for (int c = t; c < a.D; c += gs) dk[kb + c] = o.Zero;
            for (int c = t; c < a.Dv; c += gs) dv[vb + c] = o.Zero;
            for (int i0 = 0; i0 < a.Lq; i0 += gs)
            {
                int i = i0 + t;
                T p = o.Zero, d = o.Zero;
                if (i < a.Lq)
                {
                    T lrow = lse[bi * a.Lq + i];
                    if (!o.IsNegInf(lrow))
                    {
                        p = o.Exp(o.Sub(Score<T, O>(a, scale, q, k, mask, bi, i, j), lrow));
                        T dp = Dot<T, O>(go, (bi * a.Lq + i) * a.Dv, v, vb, a.Dv);
                        d = o.Mul(o.Mul(p, o.Sub(dp, delta[bi * a.Lq + i])), scale);
                    }
                }
                ps[t] = p;
                ds[t] = d;
                Group.Barrier();
                int count = a.Lq - i0 < gs ? a.Lq - i0 : gs;
                int gb = (bi * a.Lq + i0) * a.Dv, qb = (bi * a.Lq + i0) * a.D;
                for (int c = t; c < a.Dv; c += gs)
                {
                    T acc = dv[vb + c];
                    for (int ii = 0; ii < count; ii++) acc = o.Add(acc, o.Mul(ps[ii], go[gb + ii * a.Dv + c]));
                    dv[vb + c] = acc;
                }
                for (int c = t; c < a.D; c += gs)
                {
                    T acc = dk[kb + c];
                    for (int ii = 0; ii < count; ii++) acc = o.Add(acc, o.Mul(ds[ii], q[qb + ii * a.D + c]));
                    dk[kb + c] = acc;
                }
                Group.Barrier();
            }
        }
    }
}
