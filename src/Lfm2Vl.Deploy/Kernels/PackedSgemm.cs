using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Lfm2Vl.Deploy.Kernels;

/// <summary>
/// Float32 GEMM on pre-packed operands for inference: C[M, N] = act(A[M, K] B[K, N] + bias[row]).
/// A is packed once (the weights) into panels of <see cref="MR"/> rows, B per call into panels of
/// <see cref="NR"/> columns, so the 8x32 register-tiled Vector512 micro-kernel reads both contiguously.
/// K is blocked by <see cref="KC"/>, and A is stored block by block ([K block][panel][kc][MR]): the weights of a
/// late ResNet layer (9 MB) come from DRAM on every call, and one sequential stream per K block keeps the prefetchers
/// ahead, where panels a whole K apart left the kernel waiting on each 8 KB chunk (one thread, 512x49x4608 with
/// cold weights: 2.8 -> 1.95 ms). The bias and ReLU are applied in the last K block while the tile is still in registers.
/// </summary>
internal static unsafe class PackedSgemm
{
    public const int MR = 8, NR = 32, KC = 256;

    public static int PanelsM(int m) => (m + MR - 1) / MR;
    public static int PanelsN(int n) => (n + NR - 1) / NR;

    /// <summary>A [m, k] row-major -> [K block][panelsM][kc][MR] (blocks of <see cref="KC"/> steps, the last shorter), zero-padded rows.</summary>
    public static float[] PackA(ReadOnlySpan<float> a, int m, int k)
    {
        int mp = PanelsM(m);
        var packed = new float[(long)mp * MR * k];
        for (int pc = 0; pc < k; pc += KC)
        {
            int kc = Math.Min(KC, k - pc);
            for (int r = 0; r < m; r++)
            {
                int panel = r / MR, lane = r % MR;
                long dst = (long)mp * MR * pc + (long)panel * kc * MR + lane;
                for (int p = 0; p < kc; p++) packed[dst + p * MR] = a[r * k + pc + p];
            }
        }
        return packed;
    }

    /// <summary>The bias padded to whole panels (zeros if null), as the micro-kernel reads it.</summary>
    public static float[] PadBias(float[]? bias, int m)
    {
        var padded = new float[PanelsM(m) * MR];
        bias?.AsSpan(0, m).CopyTo(padded);
        return padded;
    }

    /// <summary>B [k, n] (row stride ldb) -> [panelsN][k][NR], zero-padded columns.</summary>
    public static void PackB(float* b, int k, int n, int ldb, float* dst)
    {
        int np = PanelsN(n);
        for (int jp = 0; jp < np; jp++)
        {
            int j0 = jp * NR, cols = Math.Min(NR, n - j0);
            float* d = dst + (long)jp * k * NR;
            for (int p = 0; p < k; p++, d += NR)
            {
                float* src = b + (long)p * ldb + j0;
                if (cols == NR)
                {
                    Vector512.Store(Vector512.Load(src), d);
                    Vector512.Store(Vector512.Load(src + 16), d + 16);
                }
                else
                {
                    for (int j = 0; j < cols; j++) d[j] = src[j];
                    for (int j = cols; j < NR; j++) d[j] = 0;
                }
            }
        }
    }

    /// <summary>
    /// C (row stride ldc) = act(A B + bias), or with <paramref name="accumulate"/> C += A B + bias (a fused residual
    /// add; no activation then). <paramref name="bias"/> is padded (<see cref="PadBias"/>).
    /// With <paramref name="parallel"/>, the tiles are split across the cores.
    /// </summary>
    public static void Run(int m, int n, int k, float* packedA, float* packedB, float* c, int ldc, float* bias, bool relu, bool parallel,
        bool accumulate = false)
    {
        int mp = PanelsM(m), np = PanelsN(n);
        int workers = parallel && (long)m * n * k >= 1 << 17 ? Math.Min(Environment.ProcessorCount, mp * np) : 1;
        if (workers <= 1)
        {
            Tile(m, n, k, packedA, packedB, c, ldc, bias, relu, 0, mp, 0, np, accumulate);
            return;
        }
        // Split the larger panel dimension so each worker gets a contiguous band.
        bool splitN = np >= mp || np >= 2 * workers;
        int parts = splitN ? Math.Min(np, workers) : Math.Min(mp, workers);
        nint pa = (nint)packedA, pb = (nint)packedB, pc = (nint)c, pbias = (nint)bias;
        Inference.WorkerPool.For(parts, t =>
        {
            if (splitN)
                Tile(m, n, k, (float*)pa, (float*)pb, (float*)pc, ldc, (float*)pbias, relu, 0, mp, np * t / parts, np * (t + 1) / parts, accumulate);
            else
                Tile(m, n, k, (float*)pa, (float*)pb, (float*)pc, ldc, (float*)pbias, relu, mp * t / parts, mp * (t + 1) / parts, 0, np, accumulate);
        });
    }

    private static void Tile(int m, int n, int k, float* pa, float* pb, float* c, int ldc, float* bias, bool relu,
        int m0, int m1, int n0, int n1, bool accumulate)
    {
        float* edge = stackalloc float[MR * NR];
        int mp = PanelsM(m);
        // Each B chunk (kc x 32) stays in L1 while the A chunks of this K block stream past it, sequentially in memory.
        // (Reading each A chunk once across all B chunks instead measured no faster with cold weights and slower with hot.)
        // The tile loop stays in one method: at K = 27 a tile is ~100 cycles, and a call per tile cost a third more.
        for (int pc = 0; pc < k; pc += KC)
        {
            int kc = Math.Min(KC, k - pc);
            bool first = pc == 0 && !accumulate, last = pc + kc >= k;
            float* aBlock = pa + (long)mp * MR * pc;
            for (int jp = n0; jp < n1; jp++)
            {
                float* bp = pb + ((long)jp * k + pc) * NR;
                int cols = Math.Min(NR, n - jp * NR);
                for (int ip = m0; ip < m1; ip++)
                {
                    float* ap = aBlock + (long)ip * kc * MR;
                    int rows = Math.Min(MR, m - ip * MR);
                    float* cp = c + (long)ip * MR * ldc + jp * NR;
                    if (rows == MR && cols == NR)
                    {
                        Kernel(kc, ap, bp, cp, ldc, first, last, bias + ip * MR, relu);
                        continue;
                    }
                    // Edge tile: run the full kernel on a scratch tile and copy the valid part.
                    if (!first)
                        for (int r = 0; r < rows; r++)
                            for (int j = 0; j < cols; j++) edge[r * NR + j] = cp[(long)r * ldc + j];
                    Kernel(kc, ap, bp, edge, NR, first, last, bias + ip * MR, relu);
                    for (int r = 0; r < rows; r++)
                        for (int j = 0; j < cols; j++) cp[(long)r * ldc + j] = edge[r * NR + j];
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel(int kc, float* a, float* b, float* c, int ldc, bool first, bool last, float* bias, bool relu)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var av = Vector512.Create(a[0]); c00 = Vector512.FusedMultiplyAdd(av, b0, c00); c01 = Vector512.FusedMultiplyAdd(av, b1, c01);
            av = Vector512.Create(a[1]); c10 = Vector512.FusedMultiplyAdd(av, b0, c10); c11 = Vector512.FusedMultiplyAdd(av, b1, c11);
            av = Vector512.Create(a[2]); c20 = Vector512.FusedMultiplyAdd(av, b0, c20); c21 = Vector512.FusedMultiplyAdd(av, b1, c21);
            av = Vector512.Create(a[3]); c30 = Vector512.FusedMultiplyAdd(av, b0, c30); c31 = Vector512.FusedMultiplyAdd(av, b1, c31);
            av = Vector512.Create(a[4]); c40 = Vector512.FusedMultiplyAdd(av, b0, c40); c41 = Vector512.FusedMultiplyAdd(av, b1, c41);
            av = Vector512.Create(a[5]); c50 = Vector512.FusedMultiplyAdd(av, b0, c50); c51 = Vector512.FusedMultiplyAdd(av, b1, c51);
            av = Vector512.Create(a[6]); c60 = Vector512.FusedMultiplyAdd(av, b0, c60); c61 = Vector512.FusedMultiplyAdd(av, b1, c61);
            av = Vector512.Create(a[7]); c70 = Vector512.FusedMultiplyAdd(av, b0, c70); c71 = Vector512.FusedMultiplyAdd(av, b1, c71);
            a += MR;
            b += NR;
        }
        StoreRow(c, c00, c01, first, last, bias[0], relu);
        StoreRow(c + ldc, c10, c11, first, last, bias[1], relu);
        StoreRow(c + 2L * ldc, c20, c21, first, last, bias[2], relu);
        StoreRow(c + 3L * ldc, c30, c31, first, last, bias[3], relu);
        StoreRow(c + 4L * ldc, c40, c41, first, last, bias[4], relu);
        StoreRow(c + 5L * ldc, c50, c51, first, last, bias[5], relu);
        StoreRow(c + 6L * ldc, c60, c61, first, last, bias[6], relu);
        StoreRow(c + 7L * ldc, c70, c71, first, last, bias[7], relu);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void StoreRow(float* c, Vector512<float> v0, Vector512<float> v1, bool first, bool last, float bias, bool relu)
    {
        if (!first)
        {
            v0 += Vector512.Load(c);
            v1 += Vector512.Load(c + 16);
        }
        if (last)
        {
            var bv = Vector512.Create(bias);
            v0 += bv;
            v1 += bv;
            if (relu)
            {
                v0 = Vector512.Max(v0, Vector512<float>.Zero);
                v1 = Vector512.Max(v1, Vector512<float>.Zero);
            }
        }
        Vector512.Store(v0, c);
        Vector512.Store(v1, c + 16);
    }
}
