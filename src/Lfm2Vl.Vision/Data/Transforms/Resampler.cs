using System.Buffers;

namespace Lfm2Vl.Vision.Data;

/// <summary>
/// Bilinear resampling as PIL does it: a separable triangle filter whose support widens with the
/// downscale factor, so shrinking averages all covered pixels instead of aliasing; enlarging is plain
/// bilinear interpolation with pixel centres at +0.5 (align_corners=false). Scratch rows come from
/// <see cref="ArrayPool{T}"/>; nothing is allocated per pixel.
/// </summary>
internal static class Resampler
{
    /// <summary>Resamples the region [x0, x0+w) x [y0, y0+h) of <paramref name="src"/> (inside it) to outW x outH.</summary>
    public static ImageRgb ResizeRegion(ImageRgb src, int x0, int y0, int w, int h, int outW, int outH)
    {
        if (x0 < 0 || y0 < 0 || w <= 0 || h <= 0 || x0 + w > src.Width || y0 + h > src.Height)
            throw new ArgumentOutOfRangeException(nameof(x0), $"Region ({x0}, {y0}, {w}x{h}) is not inside the {src.Width}x{src.Height} image.");
        if (outW <= 0 || outH <= 0) throw new ArgumentOutOfRangeException(nameof(outW), $"Output size {outW}x{outH} must be positive.");
        var dst = new ImageRgb(outW, outH);
        if (w == outW && h == outH)
        {
            for (int y = 0; y < h; y++)
                Array.Copy(src.Pixels, ((y0 + y) * src.Width + x0) * 3, dst.Pixels, y * outW * 3, outW * 3);
            return dst;
        }

        var hx = Filter.Build(w, outW);
        var vy = Filter.Build(h, outH);
        int rowLen = outW * 3;
        float[] tmp = ArrayPool<float>.Shared.Rent(h * rowLen);
        float[] acc = ArrayPool<float>.Shared.Rent(rowLen);
        try
        {
            // Horizontal pass: each source row of the region -> outW pixels (floats).
            byte[] sp = src.Pixels;
            for (int y = 0; y < h; y++)
            {
                int rowBase = ((y0 + y) * src.Width + x0) * 3;
                int tBase = y * rowLen;
                for (int ox = 0; ox < outW; ox++)
                {
                    int start = hx.Start[ox], n = hx.Count[ox], wBase = ox * hx.Taps;
                    float r = 0, g = 0, b = 0;
                    int p = rowBase + start * 3;
                    for (int k = 0; k < n; k++, p += 3)
                    {
                        float wk = hx.Weights[wBase + k];
                        r += sp[p] * wk; g += sp[p + 1] * wk; b += sp[p + 2] * wk;
                    }
                    int t = tBase + ox * 3;
                    tmp[t] = r; tmp[t + 1] = g; tmp[t + 2] = b;
                }
            }
            // Vertical pass: weighted sums of whole rows, rounded to bytes.
            byte[] dp = dst.Pixels;
            for (int oy = 0; oy < outH; oy++)
            {
                int start = vy.Start[oy], n = vy.Count[oy], wBase = oy * vy.Taps;
                Array.Clear(acc, 0, rowLen);
                for (int k = 0; k < n; k++)
                {
                    float wk = vy.Weights[wBase + k];
                    int tBase = (start + k) * rowLen;
                    for (int i = 0; i < rowLen; i++) acc[i] += tmp[tBase + i] * wk;
                }
                int dBase = oy * rowLen;
                for (int i = 0; i < rowLen; i++) dp[dBase + i] = ToByte(acc[i]);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(tmp);
            ArrayPool<float>.Shared.Return(acc);
        }
        return dst;
    }

    public static ImageRgb Resize(ImageRgb src, int outW, int outH) => ResizeRegion(src, 0, 0, src.Width, src.Height, outW, outH);

    internal static byte ToByte(float v) => v <= 0 ? (byte)0 : v >= 255 ? (byte)255 : (byte)(v + 0.5f);

    /// <summary>Per output index: first input index, tap count and normalised weights (PIL's precompute_coeffs).</summary>
    private sealed class Filter
    {
        public required int[] Start, Count;
        public required float[] Weights;
        public int Taps;

        public static Filter Build(int inSize, int outSize)
        {
            double scale = (double)inSize / outSize;
            double filterScale = Math.Max(scale, 1.0);
            double support = filterScale; // the triangle filter has support 1
            int taps = (int)Math.Ceiling(support) * 2 + 1;
            var f = new Filter { Start = new int[outSize], Count = new int[outSize], Weights = new float[outSize * taps], Taps = taps };
            for (int o = 0; o < outSize; o++)
            {
                double center = (o + 0.5) * scale;
                int lo = Math.Max((int)(center - support + 0.5), 0);
                int hi = Math.Min((int)(center + support + 0.5), inSize);
                hi = Math.Min(hi, lo + taps);
                double sum = 0;
                for (int x = lo; x < hi; x++) sum += Triangle((x - center + 0.5) / filterScale);
                int n = 0;
                for (int x = lo; x < hi; x++)
                    f.Weights[o * taps + n++] = (float)(sum > 0 ? Triangle((x - center + 0.5) / filterScale) / sum : 0);
                if (sum <= 0) { f.Weights[o * taps] = 1; n = Math.Max(n, 1); } // degenerate: nearest pixel
                f.Start[o] = lo;
                f.Count[o] = n;
            }
            return f;
        }

        private static double Triangle(double x) => Math.Max(0, 1 - Math.Abs(x));
    }
}
