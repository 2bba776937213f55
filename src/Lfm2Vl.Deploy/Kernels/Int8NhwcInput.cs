using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lfm2Vl.Deploy.Kernels;

/// <summary>
/// Quantizes one NCHW float image to uint8 into a spatially padded NHWC buffer, the input layout of
/// <see cref="Int8DirectConv"/>: [h + 2 pad][w + 2 pad][<see cref="PixelBytes"/>]. From four channels up a pixel is
/// whole 32-bit words (the unit vpdpbusd multiplies; the extra channels hold 0, their weights are 0); below four
/// (an RGB stem) pixels are packed tight, so a kernel row of k pixels is k * c bytes (21 instead of 28 for k = 7)
/// and the words the kernel reads straddle pixels. The border holds the zero point (the code of a real 0, what a
/// padded tap reads).
/// q = clamp(round_half_even(x * invScale) + zeroPoint, 0, 255).
/// </summary>
internal static unsafe class Int8NhwcInput
{
    public static int PaddedChannels(int c) => (c + 3) & ~3;

    /// <summary>Bytes per NHWC pixel.</summary>
    public static int PixelBytes(int c) => c < 4 ? c : PaddedChannels(c);

    public static long ImageBytes(int c, int h, int w, int pad) => (long)(h + 2 * pad) * (w + 2 * pad) * PixelBytes(c);

    /// <summary>What a buffer of images needs past its end: the kernel reads a kernel row in whole words, up to
    /// 3 bytes past the row's last pixel (their weights are 0).</summary>
    public const int Slack = 4;

    public static void Quantize(float* x, int c, int h, int w, int pad, float invScale, int zeroPoint, byte* dst) =>
        Quantize(x, c, h, w, pad, invScale, zeroPoint, dst, 0, h);

    /// <summary>Only input rows [rowStart, rowEnd) (with their border columns, and the border rows above or below
    /// when the range touches the top or the bottom).</summary>
    public static void Quantize(float* x, int c, int h, int w, int pad, float invScale, int zeroPoint, byte* dst, int rowStart, int rowEnd) =>
        Quantize(x, c, h, w, pad, invScale, zeroPoint, dst, rowStart, rowEnd, 1, h, w);

    /// <summary>
    /// The h x w image of every <paramref name="step"/>-th row and column of the srcH x srcW input (what a 1x1
    /// convolution of that stride reads), quantized into padded NHWC.
    /// </summary>
    // Hot whatever the host's tiering settings: fully optimized from the first call, helpers inlined.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Quantize(float* x, int c, int h, int w, int pad, float invScale, int zeroPoint, byte* dst, int rowStart, int rowEnd,
        int step, int srcH, int srcW)
    {
        int cp = PaddedChannels(c), cs = PixelBytes(c), wp = w + 2 * pad, hp = h + 2 * pad, plane = srcH * srcW;
        long rowBytes = (long)wp * cs;
        byte zp = (byte)zeroPoint;
        if (pad > 0)
        {
            if (rowStart == 0) new Span<byte>(dst, checked((int)(rowBytes * pad))).Fill(zp);
            if (rowEnd == h) new Span<byte>(dst + (hp - pad) * rowBytes, checked((int)(rowBytes * pad))).Fill(zp);
            for (int iy = rowStart; iy < rowEnd; iy++)
            {
                byte* row = dst + (iy + pad) * rowBytes;
                new Span<byte>(row, pad * cs).Fill(zp);
                new Span<byte>(row + (long)(w + pad) * cs, pad * cs).Fill(zp);
            }
        }
        // The vector paths read 8 consecutive samples: 8 floats, or at step 2 16 floats (the last one past the 8th sample).
        bool vector = Avx2.IsSupported && step <= 2;
        int vectorEnd = step == 1 ? w : srcW >= 16 ? Math.Min(w, (srcW - 16) / 2 + 8) : 0;
        int* words = stackalloc int[8];
        for (int iy = rowStart; iy < rowEnd; iy++)
        {
            byte* row = dst + (iy + pad) * rowBytes + (long)pad * cs;
            float* src = x + (long)iy * step * srcW;
            int cq = 0;
            // Four channel quads (16 channels) of 8 pixels at a time: quantize, pack to bytes, transpose to pixel-major.
            // (From here on cs == cp unless c < 4.)
            for (; vector && cq + 4 <= c / 4; cq += 4)
            {
                int ix = 0;
                for (; ix + 8 <= vectorEnd; ix += 8)
                {
                    float* at = src + (long)ix * step;
                    var w0 = Words(at + (long)cq * 4 * plane, plane, 4, invScale, zeroPoint, step);
                    var w1 = Words(at + (long)(cq + 1) * 4 * plane, plane, 4, invScale, zeroPoint, step);
                    var w2 = Words(at + (long)(cq + 2) * 4 * plane, plane, 4, invScale, zeroPoint, step);
                    var w3 = Words(at + (long)(cq + 3) * 4 * plane, plane, 4, invScale, zeroPoint, step);
                    var t0 = Avx2.UnpackLow(w0, w1).AsInt64();
                    var t1 = Avx2.UnpackHigh(w0, w1).AsInt64();
                    var t2 = Avx2.UnpackLow(w2, w3).AsInt64();
                    var t3 = Avx2.UnpackHigh(w2, w3).AsInt64();
                    var u0 = Avx2.UnpackLow(t0, t2);  // pixels 0 | 4
                    var u1 = Avx2.UnpackHigh(t0, t2); // pixels 1 | 5
                    var u2 = Avx2.UnpackLow(t1, t3);  // pixels 2 | 6
                    var u3 = Avx2.UnpackHigh(t1, t3); // pixels 3 | 7
                    byte* d = row + (long)ix * cp + cq * 4;
                    u0.GetLower().Store((long*)d); u1.GetLower().Store((long*)(d + cp));
                    u2.GetLower().Store((long*)(d + 2 * cp)); u3.GetLower().Store((long*)(d + 3 * cp));
                    u0.GetUpper().Store((long*)(d + 4 * cp)); u1.GetUpper().Store((long*)(d + 5 * cp));
                    u2.GetUpper().Store((long*)(d + 6 * cp)); u3.GetUpper().Store((long*)(d + 7 * cp));
                }
                for (; ix < w; ix++)
                    for (int j = cq; j < cq + 4; j++) *(int*)(row + (long)ix * cp + j * 4) = Word(src + (long)j * 4 * plane + (long)ix * step, plane, 4, invScale, zeroPoint);
            }
            for (; cq < cp / 4; cq++)
            {
                int lanes = Math.Min(4, c - cq * 4), ix = 0;
                float* s = src + (long)cq * 4 * plane;
                byte* d = row + cq * 4;
                // Tight pixels (cs < 4): each word's high bytes spill into the next pixels, written after it; the
                // row's last 3 / cs pixels are written byte by byte so nothing spills past the row (another core's rows).
                int wordEnd = cs < 4 ? Math.Max(0, w - 3 / cs) : w;
                if (vector)
                {
                    for (; ix + 8 <= Math.Min(vectorEnd, wordEnd); ix += 8)
                    {
                        Words(s + (long)ix * step, plane, lanes, invScale, zeroPoint, step).Store(words);
                        for (int j = 0; j < 8; j++) *(int*)(d + (long)(ix + j) * cs) = words[j];
                    }
                }
                for (; ix < wordEnd; ix++) *(int*)(d + (long)ix * cs) = Word(s + (long)ix * step, plane, lanes, invScale, zeroPoint);
                for (; ix < w; ix++)
                    for (int l = 0; l < lanes; l++) d[(long)ix * cs + l] = (byte)Code(s[(long)l * plane + (long)ix * step], invScale, zeroPoint);
            }
        }
    }

    /// <summary>The codes of <paramref name="lanes"/> channels (plane floats apart; missing ones are 0) of 8 pixels as
    /// 8 words, channel l in byte l. The float product is clamped to +-512 first, so the conversion cannot overflow;
    /// the packs saturate to 0..255, the same result as <see cref="Code"/> for every finite input.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Words(float* x, int plane, int lanes, float invScale, int zeroPoint, int step)
    {
        var s = Vector256.Create(invScale);
        var z = Vector256.Create(zeroPoint);
        var v0 = Quantize8(x, s, z, step);
        var v1 = lanes > 1 ? Quantize8(x + plane, s, z, step) : Vector256<int>.Zero;
        var v2 = lanes > 2 ? Quantize8(x + 2L * plane, s, z, step) : Vector256<int>.Zero;
        var v3 = lanes > 3 ? Quantize8(x + 3L * plane, s, z, step) : Vector256<int>.Zero;
        // [c0 p0-3, c1 p0-3, c2 p0-3, c3 p0-3 | same for p4-7] as bytes, then byte l of pixel p from c_l.
        var bytes = Avx2.PackUnsignedSaturate(Avx2.PackSignedSaturate(v0, v1), Avx2.PackSignedSaturate(v2, v3));
        var pixelMajor = Vector256.Create((byte)0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15, 0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
        return Avx2.Shuffle(bytes, pixelMajor).AsInt32();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<int> Quantize8(float* x, Vector256<float> invScale, Vector256<int> zeroPoint, int step)
    {
        var samples = step == 1 ? Vector256.Load(x)
            // x0 x2 x8 x10 | x4 x6 x12 x14, then the middle 64-bit pairs swapped: the 8 even elements in order.
            : Avx2.Permute4x64(Avx.Shuffle(Vector256.Load(x), Vector256.Load(x + 8), 0x88).AsDouble(), 0xD8).AsSingle();
        var v = Avx.Min(Avx.Max(samples * invScale, Vector256.Create(-512f)), Vector256.Create(512f));
        return Avx.ConvertToVector256Int32(v) + zeroPoint; // rounds to nearest even (the default MXCSR mode)
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Word(float* x, int plane, int lanes, float invScale, int zeroPoint)
    {
        int word = 0;
        for (int l = 0; l < lanes; l++) word |= Code(x[(long)l * plane], invScale, zeroPoint) << (8 * l);
        return word;
    }

    /// <summary>The scalar quantization of one value.</summary>
    public static int Code(float x, float invScale, int zeroPoint) => Math.Clamp((int)MathF.Round(Math.Clamp(x * invScale, -512f, 512f)) + zeroPoint, 0, 255);
}
