using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Lfm2Vl.Engine.Backends.Cpu;

/// <summary>
/// Direct depthwise convolution kernels on single planes. Each input plane is first copied into a zero-bordered
/// scratch plane, so the inner loops need no bounds tests; with unit horizontal stride they run over SIMD vectors
/// of output columns, accumulating all taps in a register.
/// </summary>
internal static class DepthwiseConv
{
    /// <summary>dst[(h + 2ph) x (w + 2pw)] = x plane with a zero border of ph rows and pw columns.</summary>
    public static void PadPlane<T>(T[] x, int xOff, int h, int w, int ph, int pw, T[] dst) where T : unmanaged, INumberBase<T>
    {
        int wp = w + 2 * pw;
        dst.AsSpan(0, ph * wp).Clear();
        for (int y = 0; y < h; y++)
        {
            var row = dst.AsSpan((y + ph) * wp, wp);
            row[..pw].Clear();
            x.AsSpan(xOff + y * w, w).CopyTo(row[pw..]);
            row[(pw + w)..].Clear();
        }
        dst.AsSpan((h + ph) * wp, ph * wp).Clear();
    }

    /// <summary>
    /// y[oy, ox] = bias + sum over taps (ki, kj) of taps[ki*kw + kj] * xp[(oy*sh + ki*dh) * wp + ox*sw + kj*dw],
    /// for a padded plane xp of row length wp.
    /// </summary>
    public static void Forward<T>(T[] xp, int wp, ReadOnlySpan<T> taps, int kh, int kw, in Conv2dParams p, T bias, T[] y, int yOff, int oh, int ow)
        where T : unmanaged, INumberBase<T>
    {
        int vc = Vector<T>.Count;
        bool simd = p.StrideW == 1 && Vector.IsHardwareAccelerated && Vector<T>.IsSupported;
        for (int oy = 0; oy < oh; oy++)
        {
            int yRow = yOff + oy * ow, inRow = oy * p.StrideH * wp;
            int ox = 0;
            if (simd && ow >= vc)
            {
                // Every load lies inside the padded plane (its size follows from the output size), which is
                // checked once here for the row's last vector instead of per load.
                int last = inRow + (kh - 1) * p.DilationH * wp + (ow / vc * vc - vc) + (kw - 1) * p.DilationW + vc - 1;
                if ((uint)last >= (uint)xp.Length || yRow + ow > y.Length) throw new IndexOutOfRangeException();
                ref T x0 = ref MemoryMarshal.GetArrayDataReference(xp);
                ref T t0 = ref MemoryMarshal.GetReference(taps);
                for (; ox + vc <= ow; ox += vc)
                {
                    var acc = new Vector<T>(bias);
                    for (int ki = 0; ki < kh; ki++)
                    {
                        nuint src = (nuint)(inRow + ki * p.DilationH * wp + ox);
                        for (int kj = 0; kj < kw; kj++)
                            acc += new Vector<T>(Unsafe.Add(ref t0, ki * kw + kj)) * Vector.LoadUnsafe(ref x0, src + (nuint)(kj * p.DilationW));
                    }
                    acc.CopyTo(y.AsSpan(yRow + ox));
                }
            }
            for (; ox < ow; ox++)
            {
                T acc = bias;
                for (int ki = 0; ki < kh; ki++)
                {
                    int src = inRow + ki * p.DilationH * wp + ox * p.StrideW;
                    for (int kj = 0; kj < kw; kj++) acc += taps[ki * kw + kj] * xp[src + kj * p.DilationW];
                }
                y[yRow + ox] = acc;
            }
        }
    }

    /// <summary>
    /// The adjoint of <see cref="Forward{T}"/> (without bias): dxp[(oy*sh + ki*dh) * wp + ox*sw + kj*dw] +=
    /// taps[ki*kw + kj] * gy[oy, ox], into a padded plane dxp of row length wp.
    /// </summary>
    public static void BackwardInputAdd<T>(T[] gy, int gyOff, int oh, int ow, ReadOnlySpan<T> taps, int kh, int kw, in Conv2dParams p, T[] dxp, int wp)
        where T : unmanaged, INumberBase<T>
    {
        for (int oy = 0; oy < oh; oy++)
        {
            var g = new ReadOnlySpan<T>(gy, gyOff + oy * ow, ow);
            for (int ki = 0; ki < kh; ki++)
                for (int kj = 0; kj < kw; kj++)
                {
                    T tap = taps[ki * kw + kj];
                    int dst = (oy * p.StrideH + ki * p.DilationH) * wp + kj * p.DilationW;
                    if (p.StrideW == 1)
                    {
                        var d = dxp.AsSpan(dst, ow);
                        TensorPrimitives.MultiplyAdd(g, tap, d, d);
                    }
                    else
                        for (int ox = 0; ox < ow; ox++) dxp[dst + ox * p.StrideW] += tap * g[ox];
                }
        }
    }

    /// <summary>grad[ki*kw + kj] += sum over (oy, ox) of gy[oy, ox] * xp[(oy*sh + ki*dh) * wp + ox*sw + kj*dw].</summary>
    public static void BackwardWeightAdd<T>(T[] xp, int wp, T[] gy, int gyOff, int oh, int ow, int kh, int kw, in Conv2dParams p, Span<T> grad)
        where T : unmanaged, INumberBase<T>
    {
        for (int ki = 0; ki < kh; ki++)
            for (int kj = 0; kj < kw; kj++)
            {
                T acc = T.Zero;
                for (int oy = 0; oy < oh; oy++)
                {
                    var g = new ReadOnlySpan<T>(gy, gyOff + oy * ow, ow);
                    int src = (oy * p.StrideH + ki * p.DilationH) * wp + kj * p.DilationW;
                    if (p.StrideW == 1) acc += TensorPrimitives.Dot(g, new ReadOnlySpan<T>(xp, src, ow));
                    else for (int ox = 0; ox < ow; ox++) acc += g[ox] * xp[src + ox * p.StrideW];
                }
                grad[ki * kw + kj] += acc;
            }
    }
}
