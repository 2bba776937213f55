namespace Lfm2Vl.Engine.Backends.Cpu;

/// <summary>
/// Portable 4 x 4 micro-kernel for machines without AVX2/AVX-512 (and a second, independent check of the
/// packing in tests). Uses MathF.FusedMultiplyAdd so it rounds like the vector kernels.
/// </summary>
internal readonly struct SgemmKernelScalar : ISgemmKernel
{
    public static int MR => 4;
    public static int NR => 4;
    public static int ShortMR => 0;
    public static bool IsSupported => true;

    public static unsafe void TileShort(int kc, float* a, float* b, nint ldb, float* c, nint ldc, bool accumulate) =>
        throw new NotSupportedException();

    public static unsafe void Tile(int kc, float* a, float* b, nint ldb, float* c, nint ldc, bool accumulate)
    {
        float* acc = stackalloc float[16];
        for (int i = 0; i < 16; i++) acc[i] = 0f;
        for (int p = 0; p < kc; p++)
        {
            for (int i = 0; i < 4; i++)
            {
                float ai = a[i];
                float* row = acc + 4 * i;
                row[0] = MathF.FusedMultiplyAdd(ai, b[0], row[0]);
                row[1] = MathF.FusedMultiplyAdd(ai, b[1], row[1]);
                row[2] = MathF.FusedMultiplyAdd(ai, b[2], row[2]);
                row[3] = MathF.FusedMultiplyAdd(ai, b[3], row[3]);
            }
            a += 4;
            b += ldb;
        }
        for (int i = 0; i < 4; i++)
        {
            float* crow = c + i * ldc;
            for (int j = 0; j < 4; j++)
                crow[j] = accumulate ? crow[j] + acc[4 * i + j] : acc[4 * i + j];
        }
    }
}
