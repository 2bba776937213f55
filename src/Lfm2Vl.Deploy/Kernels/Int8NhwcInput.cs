using System.Runtime.Intrinsics;

namespace Lfm2Vl.Deploy.Kernels;

/// <summary>
/// Quantizes one NCHW float image to uint8 into a spatially padded NHWC buffer, the input layout of
/// <see cref="Int8DirectConv"/>: [h + 2 pad][w + 2 pad][channelsPadded], channelsPadded a multiple of four so that
/// each pixel's channels are whole 32-bit words (the unit vpdpbusd multiplies). The border holds the zero point
/// (the code of a real 0, what a padded tap reads); the extra channels hold 0 (their weights are 0).
/// q = clamp(round_half_even(x * invScale) + zeroPoint, 0, 255), the same formula as <see cref="Int8Im2Col.Quantize"/>.
/// </summary>
internal static unsafe class Int8NhwcInput
{
    public static int PaddedChannels(int c) => (c + 3) & ~3;

    public static long ImageBytes(int c, int h, int w, int pad) => (long)(h + 2 * pad) * (w + 2 * pad) * PaddedChannels(c);

    public static void Quantize(float* x, int c, int h, int w, int pad, float invScale, int zeroPoint, byte* dst)
    {
        int cp = PaddedChannels(c), wp = w + 2 * pad, hp = h + 2 * pad, plane = h * w;
        long rowBytes = (long)wp * cp;
        byte zp = (byte)zeroPoint;
        if (pad > 0)
        {
            new Span<byte>(dst, checked((int)(rowBytes * pad))).Fill(zp);
            new Span<byte>(dst + (hp - pad) * rowBytes, checked((int)(rowBytes * pad))).Fill(zp);
            for (int iy = 0; iy < h; iy++)
            {
                byte* row = dst + (iy + pad) * rowBytes;
                new Span<byte>(row, pad * cp).Fill(zp);
                new Span<byte>(row + (long)(w + pad) * cp, pad * cp).Fill(zp);
            }
        }
        int* words = stackalloc int[8];
        for (int iy = 0; iy < h; iy++)
        {
            byte* row = dst + (iy + pad) * rowBytes + (long)pad * cp;
            for (int cq = 0; cq < cp / 4; cq++)
            {
                int c0 = cq * 4;
                float* src = x + (long)c0 * plane + (long)iy * w;
                int lanes = Math.Min(4, c - c0);
                byte* d = row + c0;
                int ix = 0;
                if (Vector256.IsHardwareAccelerated)
                {
                    var s = Vector256.Create(invScale);
                    var z = Vector256.Create(zeroPoint);
                    var hi = Vector256.Create(255);
                    for (; ix + 8 <= w; ix += 8)
                    {
                        var acc = Vector256<int>.Zero;
                        for (int l = 0; l < lanes; l++)
                        {
                            var v = Vector256.ConvertToInt32(Vector256.Round(Vector256.Load(src + (long)l * plane + ix) * s)) + z;
                            v = Vector256.Min(Vector256.Max(v, Vector256<int>.Zero), hi);
                            acc |= Vector256.ShiftLeft(v, 8 * l);
                        }
                        acc.Store(words);
                        byte* p = d + (long)ix * cp;
                        for (int j = 0; j < 8; j++) *(int*)(p + (long)j * cp) = words[j];
                    }
                }
                for (; ix < w; ix++)
                {
                    int word = 0;
                    for (int l = 0; l < lanes; l++) word |= Code(src[(long)l * plane + ix], invScale, zeroPoint) << (8 * l);
                    *(int*)(d + (long)ix * cp) = word;
                }
            }
        }
    }

    /// <summary>The scalar quantization of one value.</summary>
    public static int Code(float x, float invScale, int zeroPoint) => Math.Clamp((int)MathF.Round(x * invScale) + zeroPoint, 0, 255);
}
