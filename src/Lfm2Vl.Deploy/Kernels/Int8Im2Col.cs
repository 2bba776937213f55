namespace Lfm2Vl.Deploy.Kernels;

/// <summary>
/// Quantizes one image to uint8 and unfolds it into <see cref="Int8Gemm"/>'s packed B layout. Out-of-image taps
/// read as the zero point (the code of a real 0); the k padding up to a multiple of four reads as 0 (its weights are 0).
/// </summary>
internal static unsafe class Int8Im2Col
{
    /// <summary>q = clamp(round_half_even(x / scale) + zeroPoint, 0, 255), with x / scale computed as x * (1 / scale).</summary>
    public static void Quantize(float* x, long length, float invScale, int zeroPoint, byte* q)
    {
        for (long i = 0; i < length; i++)
        {
            int v = (int)MathF.Round(x[i] * invScale) + zeroPoint;
            q[i] = (byte)Math.Clamp(v, 0, 255);
        }
    }

    public static void Unfold(byte* x, int c, int h, int w, int kernel, int stride, int pad, int oh, int ow, byte zeroPoint, byte* dst)
    {
        int k = c * kernel * kernel, kq = Int8Gemm.Quads(k), plane = oh * ow;
        int padded = Int8Gemm.PanelsN(plane) * Int8Gemm.NR;
        for (int ci = 0; ci < c; ci++)
            for (int ki = 0; ki < kernel; ki++)
                for (int kj = 0; kj < kernel; kj++)
                {
                    int row = (ci * kernel + ki) * kernel + kj;
                    byte* src = x + (long)ci * h * w;
                    int p = 0;
                    for (int oy = 0; oy < oh; oy++)
                    {
                        int iy = oy * stride - pad + ki;
                        bool rowInside = (uint)iy < (uint)h;
                        for (int ox = 0; ox < ow; ox++, p++)
                        {
                            int ix = ox * stride - pad + kj;
                            dst[Int8Gemm.PackedBIndex(kq, row, p)] = rowInside && (uint)ix < (uint)w ? src[iy * w + ix] : zeroPoint;
                        }
                    }
                    for (; p < padded; p++) dst[Int8Gemm.PackedBIndex(kq, row, p)] = zeroPoint;
                }
        for (int row = k; row < kq * 4; row++)
            for (int p = 0; p < padded; p++) dst[Int8Gemm.PackedBIndex(kq, row, p)] = 0;
    }
}
