using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Lfm2Vl.Deploy.Kernels;

namespace Lfm2Vl.Deploy.Tests;

/// <summary>The NHWC quantizer puts every code where the direct convolution reads it: the vector body (16 channels
/// x 8 pixels, or a channel quad x 8 pixels) and the scalar tail agree with the scalar formula for ties, values far
/// outside the range and infinities; the border is the zero point, the padded channels 0; below four channels the
/// pixels are packed tight (3 bytes for RGB) and nothing is written outside the image.</summary>
public class Int8NhwcInputTests
{
    [Property(MaxTest = 50)]
    public unsafe bool CodesLandInPaddedNhwc(NonNegativeInt cRaw, NonNegativeInt hRaw, NonNegativeInt wRaw, NonNegativeInt padRaw, int seed)
    {
        int c = 1 + cRaw.Get % 37, h = 1 + hRaw.Get % 5, w = 1 + wRaw.Get % 21, pad = padRaw.Get % 4, zp = 37;
        float invScale = 10f;
        var rng = new Random(seed);
        float[] special = [0.25f, 0.35f, -0.25f, 1e30f, -1e30f, float.PositiveInfinity, float.NegativeInfinity, 25.45f, -3.75f];
        var x = Enumerable.Range(0, c * h * w).Select(_ => rng.Next(4) == 0 ? special[rng.Next(special.Length)] : (float)(rng.NextDouble() * 60 - 30)).ToArray();
        int cp = Int8NhwcInput.PixelBytes(c), wp = w + 2 * pad;
        int bytes = (int)Int8NhwcInput.ImageBytes(c, h, w, pad);
        var dst = Enumerable.Repeat((byte)0xAB, bytes + 8).ToArray();
        fixed (float* xp = x) fixed (byte* dp = dst) Int8NhwcInput.Quantize(xp, c, h, w, pad, invScale, zp, dp);
        if (dst.Skip(bytes).Any(v => v != 0xAB)) return false;
        for (int iy = 0; iy < h + 2 * pad; iy++)
            for (int ix = 0; ix < wp; ix++)
                for (int ci = 0; ci < cp; ci++)
                {
                    int y = iy - pad, xx = ix - pad;
                    bool inside = y >= 0 && y < h && xx >= 0 && xx < w;
                    int expected = !inside ? zp : ci >= c ? 0 : Math.Clamp((int)MathF.Round(Math.Clamp(x[(ci * h + y) * w + xx] * invScale, -512f, 512f)) + zp, 0, 255);
                    if (dst[(iy * wp + ix) * cp + ci] != expected) return false;
                }
        return true;
    }
}
