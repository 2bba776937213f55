using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lfm2Vl.Deploy.Kernels;

/// <summary>
/// Int8 GEMM for quantized convolutions: C[M, N] (int32) = A[M, K] (int8 weights) x B[K, N] (uint8 activations).
/// Both operands are packed in groups of four consecutive k, the unit of VNNI's vpdpbusd (u8 x s8, four products
/// summed into each int32 lane without saturation): A as [panelsM][K/4][MR] int32 words, B as
/// [panelsN][K/4][NR] words. The vector path uses AVX-VNNI on 256-bit registers; .NET 10 has no public 512-bit
/// u8 x s8 VNNI API (no Avx512Vnni class), so that is the widest exact form available. The scalar path computes
/// the same integer sums, so both are bit-identical (every product and sum is exact in int32: K * 255 * 127 < 2^31
/// for K below 66,000).
/// </summary>
internal static unsafe class Int8Gemm
{
    public const int MR = 6, NR = 16;

    public static bool VnniAvailable => AvxVnni.IsSupported;

    public static int Quads(int k) => (k + 3) / 4;
    public static int PanelsM(int m) => (m + MR - 1) / MR;
    public static int PanelsN(int n) => (n + NR - 1) / NR;
    public static int PackedBLength(int k, int n) => PanelsN(n) * Quads(k) * NR * 4;

    /// <summary>Index of element (k, column p) in packed B.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int PackedBIndex(int kq, int k, int p) => ((p / NR * kq + (k >> 2)) * NR + p % NR) * 4 + (k & 3);

    /// <summary>A [m, k] row-major int8 -> [panelsM][K/4][MR][4], zero-padded (rows and k).</summary>
    public static sbyte[] PackA(ReadOnlySpan<sbyte> a, int m, int k)
    {
        int kq = Quads(k);
        var packed = GC.AllocateArray<sbyte>(PanelsM(m) * kq * MR * 4, pinned: true);
        for (int r = 0; r < m; r++)
            for (int p = 0; p < k; p++)
                packed[((r / MR * kq + p / 4) * MR + r % MR) * 4 + p % 4] = a[r * k + p];
        return packed;
    }

    /// <summary>C (row stride ldc) = A B as int32.</summary>
    public static void Run(int m, int n, int k, sbyte* pa, byte* pb, int* c, int ldc, bool vnni, bool parallel)
    {
        if (vnni && !VnniAvailable) throw new PlatformNotSupportedException("This CPU has no AVX-VNNI.");
        int mp = PanelsM(m), np = PanelsN(n), kq = Quads(k);
        int workers = parallel && (long)m * n * k >= 1 << 18 ? Math.Min(Environment.ProcessorCount, np) : 1;
        nint a = (nint)pa, b = (nint)pb, cp = (nint)c;
        void Band(int n0, int n1)
        {
            int* edge = stackalloc int[MR * NR];
            for (int jp = n0; jp < n1; jp++)
            {
                byte* bp = (byte*)b + (long)jp * kq * NR * 4;
                int cols = Math.Min(NR, n - jp * NR);
                for (int ip = 0; ip < mp; ip++)
                {
                    sbyte* ap = (sbyte*)a + (long)ip * kq * MR * 4;
                    int rows = Math.Min(MR, m - ip * MR);
                    int* dst = (int*)cp + (long)ip * MR * ldc + jp * NR;
                    bool full = rows == MR && cols == NR;
                    int* target = full ? dst : edge;
                    int ld = full ? ldc : NR;
                    if (vnni) KernelVnni(kq, ap, bp, target, ld);
                    else KernelScalar(kq, ap, bp, target, ld);
                    if (!full)
                        for (int r = 0; r < rows; r++)
                            for (int j = 0; j < cols; j++) dst[(long)r * ldc + j] = edge[r * NR + j];
                }
            }
        }
        if (workers <= 1) { Band(0, np); return; }
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers },
            t => Band(np * t / workers, np * (t + 1) / workers));
    }

    /// <summary>The reference: the same sums in plain integer arithmetic.</summary>
    public static void KernelScalar(int kq, sbyte* a, byte* b, int* c, int ldc)
    {
        for (int r = 0; r < MR; r++)
            for (int j = 0; j < NR; j++)
            {
                int acc = 0;
                for (int q = 0; q < kq; q++)
                {
                    sbyte* aw = a + (q * MR + r) * 4;
                    byte* bw = b + (q * NR + j) * 4;
                    acc += aw[0] * bw[0] + aw[1] * bw[1] + aw[2] * bw[2] + aw[3] * bw[3];
                }
                c[(long)r * ldc + j] = acc;
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void KernelVnni(int kq, sbyte* a, byte* b, int* c, int ldc)
    {
        Vector256<int> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<int> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int q = 0; q < kq; q++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 32);
            int* aw = (int*)a;
            var av = Vector256.Create(aw[0]).AsSByte(); c00 = AvxVnni.MultiplyWideningAndAdd(c00, b0, av); c01 = AvxVnni.MultiplyWideningAndAdd(c01, b1, av);
            av = Vector256.Create(aw[1]).AsSByte(); c10 = AvxVnni.MultiplyWideningAndAdd(c10, b0, av); c11 = AvxVnni.MultiplyWideningAndAdd(c11, b1, av);
            av = Vector256.Create(aw[2]).AsSByte(); c20 = AvxVnni.MultiplyWideningAndAdd(c20, b0, av); c21 = AvxVnni.MultiplyWideningAndAdd(c21, b1, av);
            av = Vector256.Create(aw[3]).AsSByte(); c30 = AvxVnni.MultiplyWideningAndAdd(c30, b0, av); c31 = AvxVnni.MultiplyWideningAndAdd(c31, b1, av);
            av = Vector256.Create(aw[4]).AsSByte(); c40 = AvxVnni.MultiplyWideningAndAdd(c40, b0, av); c41 = AvxVnni.MultiplyWideningAndAdd(c41, b1, av);
            av = Vector256.Create(aw[5]).AsSByte(); c50 = AvxVnni.MultiplyWideningAndAdd(c50, b0, av); c51 = AvxVnni.MultiplyWideningAndAdd(c51, b1, av);
            a += MR * 4;
            b += NR * 4;
        }
        c00.Store(c); c01.Store(c + 8);
        c10.Store(c + ldc); c11.Store(c + ldc + 8);
        c20.Store(c + 2L * ldc); c21.Store(c + 2L * ldc + 8);
        c30.Store(c + 3L * ldc); c31.Store(c + 3L * ldc + 8);
        c40.Store(c + 4L * ldc); c41.Store(c + 4L * ldc + 8);
        c50.Store(c + 5L * ldc); c51.Store(c + 5L * ldc + 8);
    }
}
