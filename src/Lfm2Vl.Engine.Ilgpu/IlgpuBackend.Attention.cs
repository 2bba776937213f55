using ILGPU;
using ILGPU.Runtime;
using Lfm2Vl.Kernels;

namespace Lfm2Vl.Engine.Ilgpu;

public sealed partial class IlgpuBackend
{
    private static AttnArgs AttentionArgs(in TensorView q, in TensorView k, in TensorView v, in TensorView o, in TensorView? mask)
    {
        foreach (var t in new[] { q, k, v, o })
            if (t.Rank != 3 || !t.IsContiguous) throw new ArgumentException("Attention primitives need contiguous [B, L, D] tensors.");
        if (k.Shape[0] != q.Shape[0] || v.Shape[0] != q.Shape[0] || k.Shape[2] != q.Shape[2] || v.Shape[1] != k.Shape[1])
            throw new ArgumentException($"Attention: shapes q{ShapeUtil.Format(q.Shape)} k{ShapeUtil.Format(k.Shape)} v{ShapeUtil.Format(v.Shape)} do not fit.");
        var a = new AttnArgs { B = q.Shape[0], Lq = q.Shape[1], D = q.Shape[2], Lk = k.Shape[1], Dv = v.Shape[2] };
        if (mask is { } m)
        {
            a.HasMask = 1;
            a.MaskSB = m.Strides[0];
            a.MaskSI = m.Strides[1];
            a.MaskSJ = m.Strides[2];
        }
        return a;
    }

    /// <summary>The mask's elements from its offset, or any valid view when there is none (never read).</summary>
    private static ArrayView<T> MaskView<T>(in TensorView? mask, in TensorView fallback) where T : unmanaged =>
        mask is { } m ? V<T>(m).SubView(m.Offset, V<T>(m).Length - m.Offset) : Dense<T>(fallback);

    public void Attention(in TensorView q, in TensorView k, in TensorView v, in TensorView? mask, in TensorView o, in TensorView lse, double scale)
    {
        CheckSameDType("attention", q, k, v, o, lse);
        var a = AttentionArgs(q, k, v, o, mask);
        var (qv, kv, vv, mv, ov, lv) = (q, k, v, mask, o, lse);
        Floating(q.DType, "attention",
            () => AttnT<float, F32>(a, (float)scale, qv, kv, vv, mv, ov, lv),
            () => AttnT<double, F64>(a, scale, qv, kv, vv, mv, ov, lv));
    }

    private void AttnT<T, O>(AttnArgs a, T scale, TensorView q, TensorView k, TensorView v, TensorView? mask, TensorView o, TensorView lse)
        where T : unmanaged where O : struct, INum<T>
    {
        int rows = a.B * a.Lq;
        if (rows == 0) return;
        var kern = Cache.Get<Action<AcceleratorStream, KernelConfig, AttnArgs, T, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>>>(
            (Action<AttnArgs, T, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>>)AttentionKernels.Forward<T, O>);
        Run(() => kern(_stream, Rows(rows), a, scale, Dense<T>(q), Dense<T>(k), Dense<T>(v), MaskView<T>(mask, q), Dense<T>(o), Dense<T>(lse)));
    }

    public void AttentionBackward(in TensorView q, in TensorView k, in TensorView v, in TensorView? mask, in TensorView o, in TensorView lse,
        in TensorView go, in TensorView dq, in TensorView dk, in TensorView dv, double scale)
    {
        CheckSameDType("attention backward", q, k, v, o, lse, go, dq, dk, dv);
        var a = AttentionArgs(q, k, v, o, mask);
        foreach (var t in new[] { go, dq, dk, dv, lse })
            if (!t.IsContiguous) throw new ArgumentException("Attention primitives need contiguous tensors.");
        var s = (q, k, v, mask, o, lse, go, dq, dk, dv);
        Floating(q.DType, "attention backward",
            () => AttnBackT<float, F32>(a, (float)scale, s.q, s.k, s.v, s.mask, s.o, s.lse, s.go, s.dq, s.dk, s.dv),
            () => AttnBackT<double, F64>(a, scale, s.q, s.k, s.v, s.mask, s.o, s.lse, s.go, s.dq, s.dk, s.dv));
    }

    private void AttnBackT<T, O>(AttnArgs a, T scale, TensorView q, TensorView k, TensorView v, TensorView? mask, TensorView o, TensorView lse,
        TensorView go, TensorView dq, TensorView dk, TensorView dv) where T : unmanaged where O : struct, INum<T>
    {
        if (a.B == 0) return;
        var delta = Allocate(q.DType, Math.Max(a.B * a.Lq, 1));
        try
        {
            var m = MaskView<T>(mask, q);
            if (a.Lq > 0)
            {
                var kq = Cache.Get<Action<AcceleratorStream, KernelConfig, AttnArgs, T, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>>>(
                    (Action<AttnArgs, T, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>>)AttentionKernels.BackwardQuery<T, O>);
                Run(() => kq(_stream, Rows(a.B * a.Lq), a, scale, Dense<T>(q), Dense<T>(k), Dense<T>(v), m, Dense<T>(o), Dense<T>(lse), Dense<T>(go), Dense<T>(dq), Dev(delta).View<T>()));
            }
            if (a.Lk > 0)
            {
                var kk = Cache.Get<Action<AcceleratorStream, KernelConfig, AttnArgs, T, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>>>(
                    (Action<AttnArgs, T, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>>)AttentionKernels.BackwardKey<T, O>);
                Run(() => kk(_stream, Rows(a.B * a.Lk), a, scale, Dense<T>(q), Dense<T>(k), Dense<T>(v), m, Dense<T>(lse), Dense<T>(go), Dev(delta).View<T>(), Dense<T>(dk), Dense<T>(dv)));
            }
        }
        finally { Free(delta); }
    }
}
