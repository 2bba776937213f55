using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lfm2Vl.Deploy.Kernels;

/// <summary>Max pooling, global average pooling and the residual add on contiguous NCHW float buffers.</summary>
internal static unsafe class PoolKernels
{
    /// <summary>
    /// Square-window max pooling of planes [planes, H, W] -> [planes, OH, OW]; padding never wins. Separable: the
    /// window maximum of each input row is taken first, then the maximum of those over the window's rows.
    /// </summary>
    public static void MaxPool(float* x, int planes, int h, int w, int kernel, int stride, int pad, int oh, int ow, float* y)
    {
        nint xp = (nint)x, yp = (nint)y;
        ForPlanes(planes, (long)oh * ow * kernel * kernel, pl =>
        {
            float* src = (float*)xp + (long)pl * h * w;
            float* dst = (float*)yp + (long)pl * oh * ow;
            if (kernel == 2 && stride == 2 && pad == 0 && Avx512F.IsSupported)
            {
                MaxPool2x2(src, h, w, oh, ow, dst);
                return;
            }
            float* rowMax = stackalloc float[ow];
            for (int oy = 0; oy < oh; oy++)
            {
                int y0 = Math.Max(oy * stride - pad, 0), y1 = Math.Min(oy * stride - pad + kernel, h);
                float* o = dst + (long)oy * ow;
                for (int ox = 0; ox < ow; ox++) o[ox] = float.NegativeInfinity;
                for (int iy = y0; iy < y1; iy++)
                {
                    float* r = src + (long)iy * w;
                    for (int ox = 0; ox < ow; ox++)
                    {
                        int x0 = Math.Max(ox * stride - pad, 0), x1 = Math.Min(ox * stride - pad + kernel, w);
                        float m = r[x0];
                        for (int ix = x0 + 1; ix < x1; ix++) m = MathF.Max(m, r[ix]);
                        o[ox] = MathF.Max(o[ox], m);
                    }
                }
            }
        });
    }

    private static readonly Vector512<int> Even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    private static readonly Vector512<int> Odd = Even + Vector512<int>.One;
    private static readonly Vector256<int> Even8 = Vector256.Create(0, 2, 4, 6, 0, 2, 4, 6);
    private static readonly Vector256<int> Odd8 = Vector256.Create(1, 3, 5, 7, 1, 3, 5, 7);

    /// <summary>2x2 stride-2 pooling, 16 outputs at a time: vertical max of two rows, then max of even and odd columns.</summary>
    private static void MaxPool2x2(float* src, int h, int w, int oh, int ow, float* dst)
    {
        for (int oy = 0; oy < oh; oy++)
        {
            float* r0 = src + (long)2 * oy * w, r1 = r0 + w, o = dst + (long)oy * ow;
            int ox = 0;
            for (; ox + 16 <= ow; ox += 16)
            {
                var a = Vector512.Max(Vector512.Load(r0 + 2 * ox), Vector512.Load(r1 + 2 * ox));
                var b = Vector512.Max(Vector512.Load(r0 + 2 * ox + 16), Vector512.Load(r1 + 2 * ox + 16));
                var m = Vector512.Max(Avx512F.PermuteVar16x32x2(a, Even, b), Avx512F.PermuteVar16x32x2(a, Odd, b));
                m.Store(o + ox);
            }
            // 8 outputs from one 16-wide load (the 16x16 -> 8x8 maps of the small CNN have no 16-output runs).
            if (ox + 8 <= ow)
            {
                var a = Vector512.Max(Vector512.Load(r0 + 2 * ox), Vector512.Load(r1 + 2 * ox));
                var m = Vector512.Max(Avx512F.PermuteVar16x32x2(a, Even, a), Avx512F.PermuteVar16x32x2(a, Odd, a));
                m.GetLower().Store(o + ox);
                ox += 8;
            }
            // And 4 from an 8-wide load (8x8 -> 4x4).
            if (ox + 4 <= ow)
            {
                var a = Vector256.Max(Vector256.Load(r0 + 2 * ox), Vector256.Load(r1 + 2 * ox));
                var m = Vector256.Max(Avx2.PermuteVar8x32(a, Even8), Avx2.PermuteVar8x32(a, Odd8));
                m.GetLower().Store(o + ox);
                ox += 4;
            }
            for (; ox < ow; ox++)
                o[ox] = MathF.Max(MathF.Max(r0[2 * ox], r0[2 * ox + 1]), MathF.Max(r1[2 * ox], r1[2 * ox + 1]));
        }
    }

    /// <summary>[planes, H*W] -> [planes]: the mean of each plane.</summary>
    public static void GlobalAvgPool(float* x, int planes, int area, float* y)
    {
        for (int pl = 0; pl < planes; pl++)
            y[pl] = TensorPrimitives.Sum(new ReadOnlySpan<float>(x + (long)pl * area, area)) / area;
    }

    /// <summary>y = a + b, then ReLU when asked.</summary>
    public static void Add(float* a, float* b, float* y, long length, bool relu)
    {
        const int Chunk = 1 << 16;
        nint ap = (nint)a, bp = (nint)b, yp = (nint)y;
        int chunks = (int)((length + Chunk - 1) / Chunk);
        ForPlanes(chunks, Chunk, i =>
        {
            long start = (long)i * Chunk;
            int n = (int)Math.Min(Chunk, length - start);
            var dst = new Span<float>((float*)yp + start, n);
            TensorPrimitives.Add(new ReadOnlySpan<float>((float*)ap + start, n), new ReadOnlySpan<float>((float*)bp + start, n), dst);
            if (relu) TensorPrimitives.Max(dst, 0f, dst);
        });
    }

    private static void ForPlanes(int count, long workPerItem, Action<int> body)
    {
        // Below ~256K element operations a pass takes tens of microseconds: waking a second core costs as much.
        if (count * workPerItem < 1 << 18 || Environment.ProcessorCount == 1)
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        Parallel.For(0, count, body);
    }
}
