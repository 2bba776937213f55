namespace Lfm2Vl.Deploy.Kernels;

/// <summary>
/// Unfolds one image [C, H, W] straight into the packed B layout of <see cref="PackedSgemm"/>
/// ([panelsN][K][NR] with K = C*k*k rows and N = OH*OW columns), so no separate column matrix is written
/// and packed. Out-of-image taps and the padding columns of the last panel are zero.
/// </summary>
internal static unsafe class Im2ColPacked
{
    private const int NR = PackedSgemm.NR;

    public static void Unfold(float* x, int c, int h, int w, int kernel, int stride, int pad, int oh, int ow, float* dst)
    {
        int kRows = c * kernel * kernel, plane = oh * ow;
        int padded = PackedSgemm.PanelsN(plane) * NR;
        for (int ci = 0; ci < c; ci++)
            for (int ki = 0; ki < kernel; ki++)
                for (int kj = 0; kj < kernel; kj++)
                {
                    int row = (ci * kernel + ki) * kernel + kj;
                    float* rowBase = dst + (long)row * NR;
                    float* src = x + (long)ci * h * w;
                    int p = 0;
                    for (int oy = 0; oy < oh; oy++)
                    {
                        int iy = oy * stride - pad + ki;
                        bool rowInside = (uint)iy < (uint)h;
                        float* srcRow = src + (long)iy * w;
                        for (int ox = 0; ox < ow; ox++, p++)
                        {
                            int ix = ox * stride - pad + kj;
                            float v = rowInside && (uint)ix < (uint)w ? srcRow[ix] : 0f;
                            rowBase[(long)(p >> 5) * kRows * NR + (p & (NR - 1))] = v;
                        }
                    }
                    for (; p < padded; p++) rowBase[(long)(p >> 5) * kRows * NR + (p & (NR - 1))] = 0f;
                }
    }
}
