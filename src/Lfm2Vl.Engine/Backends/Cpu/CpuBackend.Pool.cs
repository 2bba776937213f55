using System.Numerics;
using System.Runtime.CompilerServices;

namespace Lfm2Vl.Engine.Backends.Cpu;

// 2-D pooling over NCHW planes; every (n, c) plane is independent, so planes are spread across cores.
public sealed partial class CpuBackend
{
    /// <summary>Runs body over the planes, across cores when planes * workPerPlane reaches the threshold.</summary>
    private static void ForPlanes(int planes, int workPerPlane, Action<int> body, int threshold = 1 << 15)
    {
        if ((long)planes * workPerPlane < threshold || planes == 1) { for (int i = 0; i < planes; i++) body(i); return; }
        Parallel.For(0, planes, body);
    }

    private static (int Planes, int H, int W, int OH, int OW) PoolGeometry(in TensorView x, in TensorView y)
    {
        if (x.Rank != 4 || y.Rank != 4 || !x.IsContiguous || !y.IsContiguous)
            throw new ArgumentException("Pooling primitives need contiguous NCHW tensors.");
        return (x.Shape[0] * x.Shape[1], x.Shape[2], x.Shape[3], y.Shape[2], y.Shape[3]);
    }

    public void MaxPool2d(in TensorView x, in TensorView y, in TensorView indices, in Pool2dParams p)
    {
        CheckSameDType("max_pool2d", x, y);
        var (xv, yv, iv, pp) = (x, y, indices, p);
        Floating(x.DType, "max_pool2d", _ => MaxPoolT<float>(xv, yv, iv, pp), _ => MaxPoolT<double>(xv, yv, iv, pp));
    }

    private static void MaxPoolT<T>(TensorView x, TensorView y, TensorView indices, Pool2dParams p) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (planes, h, w, oh, ow) = PoolGeometry(x, y);
        T[] xs = Arr<T>(x), ys = Arr<T>(y); int[] ix = Arr<int>(indices);
        if (IsPlain2x2(p, h, w, oh, ow))
        {
            // A few ns per output: the small CNN's first pool at batch 1 (32K outputs) is faster on one thread.
            ForPlanes(planes, oh * ow, pl => MaxPool2x2Plane(xs, x.Offset + pl * h * w, w, ys, ix, y.Offset + pl * oh * ow, indices.Offset + pl * oh * ow, oh, ow), threshold: 1 << 17);
            return;
        }
        ForPlanes(planes, oh * ow * p.KernelH * p.KernelW,
            pl => MaxPoolPlane(xs, x.Offset + pl * h * w, h, w, ys, ix, y.Offset + pl * oh * ow, indices.Offset + pl * oh * ow, oh, ow, p));
    }

    /// <summary>
    /// One plane of the general max pool. Windows wholly inside the input (all but a border ring) skip the
    /// clipping; both loops scan row-major and take a larger value or the first NaN, so the results agree.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxPoolPlane<T>(T[] xs, int xb, int h, int w, T[] ys, int[] ix, int yb, int ib, int oh, int ow, Pool2dParams p)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int kh = p.KernelH, kw = p.KernelW;
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++)
            {
                int y0 = oy * p.StrideH - p.PadH, x0 = ox * p.StrideW - p.PadW;
                T best = T.NegativeInfinity; int bestIdx = -1;
                if (y0 >= 0 && x0 >= 0 && y0 + kh <= h && x0 + kw <= w)
                {
                    int first = y0 * w + x0;
                    best = xs[xb + first]; bestIdx = first;
                    if (T.IsNaN(best)) goto done;
                    for (int ky = 0; ky < kh; ky++)
                    {
                        var row = xs.AsSpan(xb + first + ky * w, kw);
                        for (int kx = 0; kx < row.Length; kx++)
                        {
                            T v = row[kx];
                            if (v > best || T.IsNaN(v)) { best = v; bestIdx = first + ky * w + kx; if (T.IsNaN(v)) goto done; }
                        }
                    }
                    goto done;
                }
                for (int ky = Math.Max(0, -y0); ky < kh && y0 + ky < h; ky++)
                    for (int kx = Math.Max(0, -x0); kx < kw && x0 + kx < w; kx++)
                    {
                        int idx = (y0 + ky) * w + x0 + kx;
                        T v = xs[xb + idx];
                        if (bestIdx < 0 || v > best || T.IsNaN(v)) { best = v; bestIdx = idx; if (T.IsNaN(v)) goto done; }
                    }
                done:
                ys[yb + oy * ow + ox] = best;
                ix[ib + oy * ow + ox] = bestIdx;
            }
    }

    /// <summary>Kernel 2, stride 2, no padding, every window inside the input: the CNNs' downsampling pool.</summary>
    private static bool IsPlain2x2(in Pool2dParams p, int h, int w, int oh, int ow) =>
        p.KernelH == 2 && p.KernelW == 2 && p.StrideH == 2 && p.StrideW == 2 && p.PadH == 0 && p.PadW == 0 && 2 * oh <= h && 2 * ow <= w;

    /// <summary>
    /// One plane of the 2x2 pool without the general loop's window clipping: the same scan order (row-major) and
    /// the same rule (a larger value or the first NaN wins), so values and indices match the general path.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MaxPool2x2Plane<T>(T[] xs, int xb, int w, T[] ys, int[] ix, int yb, int ib, int oh, int ow)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int oy = 0; oy < oh; oy++)
        {
            int r0 = xb + 2 * oy * w, yr = yb + oy * ow, ir = ib + oy * ow, rel0 = 2 * oy * w;
            var top = xs.AsSpan(r0, 2 * ow);
            var bottom = xs.AsSpan(r0 + w, 2 * ow);
            var yRow = ys.AsSpan(yr, ow);
            var iRow = ix.AsSpan(ir, ow);
            for (int ox = 0; ox < ow; ox++)
            {
                T best = top[2 * ox]; int at = 0;
                if (!T.IsNaN(best))
                {
                    T v = top[2 * ox + 1];
                    if (v > best || T.IsNaN(v)) { best = v; at = 1; }
                    if (!T.IsNaN(best)) { v = bottom[2 * ox]; if (v > best || T.IsNaN(v)) { best = v; at = w; } }
                    if (!T.IsNaN(best)) { v = bottom[2 * ox + 1]; if (v > best || T.IsNaN(v)) { best = v; at = w + 1; } }
                }
                yRow[ox] = best;
                iRow[ox] = rel0 + 2 * ox + at;
            }
        }
    }

    public void MaxPool2dBackward(in TensorView gy, in TensorView indices, in TensorView dx)
    {
        CheckSameDType("max_pool2d backward", gy, dx);
        var (gv, iv, dv) = (gy, indices, dx);
        Floating(dx.DType, "max_pool2d backward", _ => MaxPoolBackT<float>(gv, iv, dv), _ => MaxPoolBackT<double>(gv, iv, dv));
    }

    private static void MaxPoolBackT<T>(TensorView gy, TensorView indices, TensorView dx) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (planes, h, w, oh, ow) = PoolGeometry(dx, gy);
        T[] gs = Arr<T>(gy), ds = Arr<T>(dx); int[] ix = Arr<int>(indices);
        ForPlanes(planes, oh * ow, pl =>
        {
            int db = dx.Offset + pl * h * w, gb = gy.Offset + pl * oh * ow, ib = indices.Offset + pl * oh * ow;
            ds.AsSpan(db, h * w).Clear();
            for (int o = 0; o < oh * ow; o++)
            {
                int idx = ix[ib + o];
                if (idx >= 0) ds[db + idx] += gs[gb + o];
            }
        });
    }

    /// <summary>The window of one output position, clipped to the input, and its divisor (PyTorch's rule).</summary>
    private static (int Y0, int Y1, int X0, int X1, int Divisor) AvgWindow(in Pool2dParams p, int h, int w, int oy, int ox)
    {
        int ys = oy * p.StrideH - p.PadH, xs = ox * p.StrideW - p.PadW;
        int ye = Math.Min(ys + p.KernelH, h + p.PadH), xe = Math.Min(xs + p.KernelW, w + p.PadW);
        int padded = (ye - ys) * (xe - xs);
        ys = Math.Max(ys, 0); xs = Math.Max(xs, 0); ye = Math.Min(ye, h); xe = Math.Min(xe, w);
        int divisor = p.CountIncludePad ? padded : (ye - ys) * (xe - xs);
        return (ys, ye, xs, xe, Math.Max(divisor, 1));
    }

    public void AvgPool2d(in TensorView x, in TensorView y, in Pool2dParams p)
    {
        CheckSameDType("avg_pool2d", x, y);
        var (xv, yv, pp) = (x, y, p);
        Floating(x.DType, "avg_pool2d", _ => AvgPoolT<float>(xv, yv, pp), _ => AvgPoolT<double>(xv, yv, pp));
    }

    private static void AvgPoolT<T>(TensorView x, TensorView y, Pool2dParams p) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (planes, h, w, oh, ow) = PoolGeometry(x, y);
        T[] xs = Arr<T>(x), ys = Arr<T>(y);
        ForPlanes(planes, oh * ow * p.KernelH * p.KernelW, pl =>
        {
            int xb = x.Offset + pl * h * w, yb = y.Offset + pl * oh * ow;
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                {
                    var (y0, y1, x0, x1, div) = AvgWindow(p, h, w, oy, ox);
                    T sum = T.Zero;
                    for (int iy = y0; iy < y1; iy++)
                        for (int ixx = x0; ixx < x1; ixx++) sum += xs[xb + iy * w + ixx];
                    ys[yb + oy * ow + ox] = sum / T.CreateTruncating(div);
                }
        });
    }

    public void AvgPool2dBackward(in TensorView gy, in TensorView dx, in Pool2dParams p)
    {
        CheckSameDType("avg_pool2d backward", gy, dx);
        var (gv, dv, pp) = (gy, dx, p);
        Floating(dx.DType, "avg_pool2d backward", _ => AvgPoolBackT<float>(gv, dv, pp), _ => AvgPoolBackT<double>(gv, dv, pp));
    }

    private static void AvgPoolBackT<T>(TensorView gy, TensorView dx, Pool2dParams p) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (planes, h, w, oh, ow) = PoolGeometry(dx, gy);
        T[] gs = Arr<T>(gy), ds = Arr<T>(dx);
        ForPlanes(planes, oh * ow * p.KernelH * p.KernelW, pl =>
        {
            int db = dx.Offset + pl * h * w, gb = gy.Offset + pl * oh * ow;
            ds.AsSpan(db, h * w).Clear();
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++)
                {
                    var (y0, y1, x0, x1, div) = AvgWindow(p, h, w, oy, ox);
                    T g = gs[gb + oy * ow + ox] / T.CreateTruncating(div);
                    for (int iy = y0; iy < y1; iy++)
                        for (int ixx = x0; ixx < x1; ixx++) ds[db + iy * w + ixx] += g;
                }
        });
    }
}
