using System.Numerics.Tensors;

namespace Lfm2Vl.Deploy.Kernels;

/// <summary>Max pooling, global average pooling and the residual add on contiguous NCHW float buffers.</summary>
internal static unsafe class PoolKernels
{
    /// <summary>Square-window max pooling of planes [planes, H, W] -> [planes, OH, OW]; padding never wins.</summary>
    public static void MaxPool(float* x, int planes, int h, int w, int kernel, int stride, int pad, int oh, int ow, float* y)
    {
        nint xp = (nint)x, yp = (nint)y;
        ForPlanes(planes, (long)oh * ow * kernel * kernel, pl =>
        {
            float* src = (float*)xp + (long)pl * h * w;
            float* dst = (float*)yp + (long)pl * oh * ow;
            for (int oy = 0; oy < oh; oy++)
            {
                int y0 = Math.Max(oy * stride - pad, 0), y1 = Math.Min(oy * stride - pad + kernel, h);
                for (int ox = 0; ox < ow; ox++)
                {
                    int x0 = Math.Max(ox * stride - pad, 0), x1 = Math.Min(ox * stride - pad + kernel, w);
                    float m = float.NegativeInfinity;
                    for (int iy = y0; iy < y1; iy++)
                        for (int ix = x0; ix < x1; ix++)
                        {
                            float v = src[iy * w + ix];
                            if (v > m || float.IsNaN(v)) m = v;
                        }
                    dst[oy * ow + ox] = m;
                }
            }
        });
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
        if (count * workPerItem < 1 << 15 || Environment.ProcessorCount == 1)
        {
            for (int i = 0; i < count; i++) body(i);
            return;
        }
        Parallel.For(0, count, body);
    }
}
