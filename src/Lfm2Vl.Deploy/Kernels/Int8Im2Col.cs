using System.Runtime.Intrinsics;

namespace Lfm2Vl.Deploy.Kernels;

/// <summary>
/// Quantizes one image to uint8 and unfolds it into <see cref="Int8Gemm"/>'s packed B layout. Out-of-image taps
/// read as the zero point (the code of a real 0); the k padding up to a multiple of four reads as 0 (its weights are 0).
/// </summary>
internal static unsafe class Int8Im2Col
{
    /// <summary>q = clamp(round_half_even(x * invScale) + zeroPoint, 0, 255), vectorized with a scalar tail that
    /// computes the same thing (rounding to nearest even in both).</summary>
    public static void Quantize(float* x, long length, float invScale, int zeroPoint, byte* q)
    {
        long i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var s = Vector512.Create(invScale);
            var zp = Vector512.Create(zeroPoint);
            var lo = Vector512<int>.Zero;
            var hi = Vector512.Create(255);
            for (; i + 16 <= length; i += 16)
            {
                var v = Vector512.ConvertToInt32(Vector512.Round(Vector512.Load(x + i) * s)) + zp;
                v = Vector512.Min(Vector512.Max(v, lo), hi);
                // Narrow 16 int32 (each already 0..255) to bytes.
                var w16 = Vector512.Narrow(v, v);                   // int16 x 32 (both halves the same)
                var w8 = Vector512.Narrow(w16, w16).AsByte();       // sbyte x 64 -> bytes 0..255
                Vector128.Store(w8.GetLower().GetLower(), q + i);
            }
        }
        for (; i < length; i++)
        {
            int v = (int)MathF.Round(x[i] * invScale) + zeroPoint;
            q[i] = (byte)Math.Clamp(v, 0, 255);
        }
    }

    public static void Unfold(byte* x, int c, int h, int w, int kernel, int stride, int pad, int oh, int ow, byte zeroPoint, byte* dst) =>
        Unfold(x, c, h, w, kernel, stride, pad, oh, ow, zeroPoint, dst, 0, oh * ow);

    /// <summary>Unfolds only output columns [colStart, colStart + colCount), packed from panel 0.</summary>
    public static void Unfold(byte* x, int c, int h, int w, int kernel, int stride, int pad, int oh, int ow, byte zeroPoint, byte* dst, int colStart, int colCount)
    {
        const int NR = Int8Gemm.NR;
        int k = c * kernel * kernel, kq = Int8Gemm.Quads(k), plane = colCount, colEnd = colStart + colCount;
        int padded = Int8Gemm.PanelsN(plane) * NR;
        long panelStride = (long)kq * NR * 4;
        for (int ci = 0; ci < c; ci++)
            for (int ki = 0; ki < kernel; ki++)
                for (int kj = 0; kj < kernel; kj++)
                {
                    int row = (ci * kernel + ki) * kernel + kj;
                    byte* rowBase = dst + (long)(row >> 2) * NR * 4 + (row & 3);
                    byte* src = x + (long)ci * h * w;
                    var (lo, hi) = Im2ColPacked.ValidColumns(ow, w, stride, pad, kj);
                    for (int oy = colStart / ow; oy <= (colEnd - 1) / ow; oy++)
                    {
                        int iy = oy * stride - pad + ki;
                        bool rowInside = (uint)iy < (uint)h;
                        byte* srcRow = src + (long)iy * w - pad + kj;
                        int p0 = oy * ow - colStart;
                        int oxEnd = Math.Min(ow, colEnd - oy * ow);
                        for (int ox = Math.Max(0, colStart - oy * ow); ox < oxEnd;)
                        {
                            int p = p0 + ox, lane = p % NR;
                            int end = Math.Min(oxEnd, ox + NR - lane);
                            byte* d = rowBase + (p / NR) * panelStride + (long)(lane - ox) * 4;   // d[ox' * 4] is column ox'
                            int a = rowInside ? Math.Clamp(lo, ox, end) : end, b = rowInside ? Math.Clamp(hi, a, end) : end;
                            for (int t = ox; t < a; t++) d[t * 4] = zeroPoint;
                            for (int t = a; t < b; t++) d[t * 4] = srcRow[(long)t * stride];
                            for (int t = b; t < end; t++) d[t * 4] = zeroPoint;
                            ox = end;
                        }
                    }
                    for (int p = plane; p < padded; p++) dst[Int8Gemm.PackedBIndex(kq, row, p)] = zeroPoint;
                }
        for (int row = k; row < kq * 4; row++)
            for (int p = 0; p < padded; p++) dst[Int8Gemm.PackedBIndex(kq, row, p)] = 0;
    }
}
