using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Lfm2Vl.Deploy.Inference;

namespace Lfm2Vl.Deploy.Kernels;

/// <summary>Max pooling, global average pooling and the residual add on contiguous NCHW float buffers.</summary>
internal static unsafe class PoolKernels
{
    /// <summary>
    /// Square-window max pooling of planes [planes, H, W] -> [planes, OH, OW]; padding never wins; a NaN in a window
    /// gives NaN (as <see cref="MathF.Max(float, float)"/>). Separable: the maximum over the window's rows first,
    /// then over its columns. Planes are split over the cores when the pass is big enough.
    /// </summary>
    public static void MaxPool(float* x, int planes, int h, int w, int kernel, int stride, int pad, int oh, int ow, float* y)
    {
        var job = new PoolJob(x, y, h, w, kernel, stride, pad, oh, ow);
        ForRanges(planes, (long)h * w + (long)oh * ow * kernel, job, static (j, from, to) =>
        {
            for (int pl = from; pl < to; pl++) MaxPoolPlane(j, j.X + (long)pl * j.H * j.W, j.Y + (long)pl * j.OH * j.OW);
        });
    }

    private readonly struct PoolJob(float* x, float* y, int h, int w, int kernel, int stride, int pad, int oh, int ow)
    {
        public readonly float* X = x, Y = y;
        public readonly int H = h, W = w, Kernel = kernel, Stride = stride, Pad = pad, OH = oh, OW = ow;
    }

    private static void MaxPoolPlane(in PoolJob j, float* src, float* dst)
    {
        if (Avx512F.IsSupported && j.Kernel == 2 && j.Stride == 2 && j.Pad == 0)
            MaxPool2x2(src, j.H, j.W, j.OH, j.OW, dst);
        else if (Avx512F.IsSupported && j.Kernel == 3 && j.Stride == 2 && j.Pad == 1)
            MaxPool3x3Stride2(src, j.H, j.W, j.OH, j.OW, dst);
        else if (Avx512F.IsSupported && j.Stride == 2 && j.Pad < j.Kernel)
            MaxPoolStride2(src, j, dst);
        else
            MaxPoolScalar(src, j, dst);
    }

    private static void MaxPoolScalar(float* src, in PoolJob j, float* dst)
    {
        int h = j.H, w = j.W, kernel = j.Kernel, stride = j.Stride, pad = j.Pad, oh = j.OH, ow = j.OW;
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
                    float m = float.NegativeInfinity;
                    for (int ix = x0; ix < x1; ix++) m = MathF.Max(m, r[ix]);
                    o[ox] = MathF.Max(o[ox], m);
                }
            }
        }
    }

    /// <summary>
    /// ResNet's stem pool (3x3, stride 2, padding 1), 16 outputs from 32 input columns, all in registers: the
    /// column maxima over the window's rows (clipped rows repeat a valid one), split into even and odd columns;
    /// output ox is max(c[2ox-1], c[2ox], c[2ox+1]) where c[2ox-1] is the odd vector shifted by one lane, its first
    /// lane carried from the previous 32 columns (-infinity at the left padding). Nothing is stored and re-read,
    /// which stalls store forwarding in the general stride-2 path.
    /// </summary>
    private static void MaxPool3x3Stride2(float* src, int h, int w, int oh, int ow, float* dst)
    {
        float* tail = stackalloc float[16];
        float* last = stackalloc float[16];
        var ninf = Vector512.Create(float.NegativeInfinity);
        for (int oy = 0; oy < oh; oy++)
        {
            float* r0 = src + (long)Math.Max(2 * oy - 1, 0) * w, r1 = src + (long)2 * oy * w, r2 = src + (long)Math.Min(2 * oy + 1, h - 1) * w;
            float* o = dst + (long)oy * ow;
            var prevOdd = ninf;
            for (int c0 = 0; c0 < w; c0 += 32)
            {
                var a = ColumnMax3(r0, r1, r2, c0, w, tail);
                var b = ColumnMax3(r0, r1, r2, c0 + 16, w, tail);
                var even = Avx512F.PermuteVar16x32x2(a, Even, b);
                var odd = Avx512F.PermuteVar16x32x2(a, Odd, b);
                var left = Avx512F.AlignRight32(odd.AsInt32(), prevOdd.AsInt32(), 15).AsSingle();
                var m = Vector512.Max(Vector512.Max(even, odd), left);
                prevOdd = odd;
                int ox = c0 / 2;
                if (ox + 16 <= ow) m.Store(o + ox);
                else
                {
                    m.Store(last);
                    for (int i = 0; ox + i < ow; i++) o[ox + i] = last[i];
                }
            }
        }
    }

    /// <summary>Maximum of three rows over columns [c, c + 16); columns at or past w read as -infinity.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> ColumnMax3(float* r0, float* r1, float* r2, int c, int w, float* tail)
    {
        if (c + 16 <= w)
            return Vector512.Max(Vector512.Max(Vector512.Load(r0 + c), Vector512.Load(r1 + c)), Vector512.Load(r2 + c));
        if (c >= w) return Vector512.Create(float.NegativeInfinity); // e.g. the upper half of 112's last 32 columns
        for (int i = 0; i < 16; i++)
            tail[i] = c + i < w ? MathF.Max(MathF.Max(r0[c + i], r1[c + i]), r2[c + i]) : float.NegativeInfinity;
        return Vector512.Load(tail);
    }

    /// <summary>
    /// Stride-2 pooling with any window and padding (ResNet's 3x3/s2/p1 stem pool), 16 outputs at a time: the
    /// column maxima of the window's rows go into a row padded with -infinity on both sides, then output ox is the
    /// maximum of padded[2ox .. 2ox+k-1], i.e. of k even-index gathers (two 16-wide loads and one permute each).
    /// </summary>
    private static void MaxPoolStride2(float* src, in PoolJob j, float* dst)
    {
        int h = j.H, w = j.W, kernel = j.Kernel, pad = j.Pad, oh = j.OH, ow = j.OW;
        int vectors = (ow + 15) / 16, padded = 32 * vectors + kernel + 16;
        float* row = stackalloc float[padded];
        float* last = stackalloc float[16];
        var ninf = Vector512.Create(float.NegativeInfinity);
        for (int i = 0; i < padded; i++) row[i] = float.NegativeInfinity;
        float* cols = row + pad;
        for (int oy = 0; oy < oh; oy++)
        {
            int y0 = Math.Max(2 * oy - pad, 0), y1 = Math.Min(2 * oy - pad + kernel, h);
            float* first = src + (long)y0 * w;
            int ix = 0;
            for (; ix + 16 <= w; ix += 16)
            {
                var m = Vector512.Load(first + ix);
                for (int iy = y0 + 1; iy < y1; iy++) m = Vector512.Max(m, Vector512.Load(src + (long)iy * w + ix));
                m.Store(cols + ix);
            }
            for (; ix < w; ix++)
            {
                float m = first[ix];
                for (int iy = y0 + 1; iy < y1; iy++) m = MathF.Max(m, src[(long)iy * w + ix]);
                cols[ix] = m;
            }
            float* o = dst + (long)oy * ow;
            for (int ox = 0; ox < ow; ox += 16)
            {
                var m = ninf;
                for (int k = 0; k < kernel; k++)
                {
                    float* b = row + 2 * ox + k;
                    m = Vector512.Max(m, Avx512F.PermuteVar16x32x2(Vector512.Load(b), Even, Vector512.Load(b + 16)));
                }
                if (ox + 16 <= ow) m.Store(o + ox);
                else
                {
                    m.Store(last);
                    for (int i = 0; ox + i < ow; i++) o[ox + i] = last[i];
                }
            }
        }
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

    /// <summary>y = a + b, then ReLU when asked, in one pass (y may alias a or b).</summary>
    public static void Add(float* a, float* b, float* y, long length, bool relu)
    {
        const int Chunk = 1 << 12;
        var job = new AddJob(a, b, y, length, relu);
        ForRanges((int)((length + Chunk - 1) / Chunk), Chunk, job, static (j, from, to) =>
        {
            long start = (long)from * Chunk, end = Math.Min((long)to * Chunk, j.Length);
            if (j.Relu) AddRelu(j.A + start, j.B + start, j.Y + start, end - start);
            else TensorPrimitives.Add(new ReadOnlySpan<float>(j.A + start, (int)(end - start)), new ReadOnlySpan<float>(j.B + start, (int)(end - start)),
                new Span<float>(j.Y + start, (int)(end - start)));
        });
    }

    private readonly struct AddJob(float* a, float* b, float* y, long length, bool relu)
    {
        public readonly float* A = a, B = b, Y = y;
        public readonly long Length = length;
        public readonly bool Relu = relu;
    }

    /// <summary>max(a + b, 0); a NaN sum stays NaN (as <see cref="MathF.Max(float, float)"/>).</summary>
    private static void AddRelu(float* a, float* b, float* y, long n)
    {
        long i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= n; i += 16)
                Vector512.Max(Vector512.Load(a + i) + Vector512.Load(b + i), Vector512<float>.Zero).Store(y + i);
        for (; i < n; i++) y[i] = MathF.Max(a[i] + b[i], 0f);
    }

    /// <summary>
    /// Element operations below which a pass runs on the calling thread: a fork/join on the worker pool costs a
    /// few microseconds (more when the helper is asleep), about what a pass of this size takes.
    /// </summary>
    private const long SerialWork = 1 << 17;

    /// <summary>Runs body(state, from, to) over contiguous ranges of [0, count), spread over the cores when the
    /// total work is big enough (a few ranges per core, claimed dynamically, so a busy core is not waited for).</summary>
    private static void ForRanges<TState>(int count, long workPerItem, TState state, Action<TState, int, int> body)
    {
        int parts = (long)count * workPerItem < SerialWork ? 1 : Math.Min(count, 4 * WorkerPool.Threads);
        if (parts <= 1)
        {
            body(state, 0, count);
            return;
        }
        WorkerPool.For(parts, (state, body, count, parts), static (s, part) =>
            s.body(s.state, (int)((long)s.count * part / s.parts), (int)((long)s.count * (part + 1) / s.parts)));
    }
}
