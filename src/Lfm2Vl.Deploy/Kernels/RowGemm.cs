using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lfm2Vl.Deploy.Kernels;

/// <summary>
/// Float32 GEMM for row-major activations (one token per row): C[m, n] (row stride ldc) = epilogue(A B + bias[col]),
/// or C += A B + bias with <c>accumulate</c> (a fused residual add). A [m, k] is read in place (row stride lda): the
/// micro-kernel broadcasts one element of each of its 8 rows per k step, so activations are never packed. B is a
/// sequence of 32-column panels: a linear layer's transposed weights packed once (<see cref="PackTransposed"/>, k
/// steps of 32 floats, panels k * 32 apart) or a row-major matrix read in place (row stride ldb, panels 32 apart).
/// K is blocked by <see cref="KC"/> so one B panel block (kc x 32) stays in L1 while the rows of A stream from L2.
/// </summary>
internal static unsafe class RowGemm
{
    public const int MR = 8, NR = 32, KC = 256;

    public static int PanelsN(int n) => (n + NR - 1) / NR;

    /// <summary>What the last K block applies to each output after the bias (the accumulated residual gets none).</summary>
    public enum Epilogue { None, Gelu }

    /// <summary>
    /// Bt [n, k] (row stride ld; a linear layer's weight [out, in], or the keys of one head) -> B = Bt^T packed as
    /// [panelsN][k][32], the columns past n zero.
    /// </summary>
    public static void PackTransposed(float* bt, int n, int k, int ld, float* dst) => PackTransposed(bt, n, k, ld, dst, 0, n);

    /// <summary>
    /// Only columns [j0, j1) of <see cref="PackTransposed(float*, int, int, int, float*)"/> (the rows of Bt one worker
    /// owns), and the zero columns past n when j1 = n. Blocks of 8 columns x 8 k steps go through 8x8
    /// register transposes: a scalar loop storing one float 128 bytes after the last cost a third of the attention scores.
    /// </summary>
    public static void PackTransposed(float* bt, int n, int k, int ld, float* dst, int j0, int j1)
    {
        int k8 = Avx.IsSupported ? k & ~7 : 0;
        int j = j0;
        for (; j < j1 && j % 8 != 0; j++) PackColumn(bt, k, ld, dst, j);
        for (; j + 8 <= j1 && k8 > 0; j += 8)
        {
            float* d = dst + (long)(j / NR) * k * NR + (j % NR);
            float* s = bt + (long)j * ld;
            for (int p = 0; p < k8; p += 8) Transpose8x8.Copy(s + p, ld, d + (long)p * NR, NR);
            for (int p = k8; p < k; p++)
                for (int t = 0; t < 8; t++) d[(long)p * NR + t] = s[(long)t * ld + p];
        }
        for (; j < j1; j++) PackColumn(bt, k, ld, dst, j);
        if (j1 == n)
            for (int p = 0; p < k; p++)
            {
                float* d = dst + (long)(PanelsN(n) - 1) * k * NR + (long)p * NR;
                for (int t = n - (PanelsN(n) - 1) * NR; t < NR; t++) d[t] = 0f;
            }
    }

    private static void PackColumn(float* bt, int k, int ld, float* dst, int j)
    {
        float* src = bt + (long)j * ld;
        float* d = dst + (long)(j / NR) * k * NR + (j % NR);
        for (int p = 0; p < k; p++) d[(long)p * NR] = src[p];
    }

    /// <summary>A pinned copy of weight [n, k] packed by <see cref="PackTransposed"/>.</summary>
    public static float[] PackWeights(float[] weight, int n, int k)
    {
        var packed = GC.AllocateArray<float>(PanelsN(n) * NR * k, pinned: true);
        fixed (float* w = weight) fixed (float* d = packed) PackTransposed(w, n, k, k, d);
        return packed;
    }

    /// <summary>
    /// C = epilogue(A B + bias) (or C += A B + bias). B's 32-column panel jp, k step p starts at
    /// b + jp * panelStride + p * ldb. <paramref name="bias"/> may be null (no bias); it is read for columns below n only.
    /// </summary>
    public static void Run(int m, int n, int k, float* a, int lda, float* b, int ldb, long panelStride, float* c, int ldc,
        float* bias, Epilogue epilogue, bool accumulate)
    {
        if (m <= 0 || n <= 0) return;
        float* edge = stackalloc float[MR * NR];
        float* edgeBias = stackalloc float[NR];
        int blocks = Math.Max(1, (k + KC - 1) / KC), kcStep = Math.Max(1, (k + blocks - 1) / blocks); // even blocks: 300 = 150 + 150
        int np = PanelsN(n);
        bool gelu = epilogue == Epilogue.Gelu;
        for (int pc = 0; pc < k || pc == 0; pc += kcStep)
        {
            int kc = Math.Min(kcStep, k - pc);
            bool load = accumulate || pc > 0, last = pc + kc >= k;
            for (int jp = 0; jp < np; jp++)
            {
                float* bp = b + jp * panelStride + (long)pc * ldb;
                int j0 = jp * NR, cols = Math.Min(NR, n - j0);
                float* bj = bias;
                if (bias != null && cols < NR)
                {
                    for (int j = 0; j < NR; j++) edgeBias[j] = j < cols ? bias[j0 + j] : 0f;
                    bj = edgeBias;
                }
                else if (bias != null) bj = bias + j0;
                for (int i0 = 0; i0 < m; i0 += MR)
                {
                    int rows = Math.Min(MR, m - i0);
                    float* ap = a + (long)i0 * lda + pc, cp = c + (long)i0 * ldc + j0;
                    if (cols == NR)
                    {
                        Kernel(kc, ap, lda, rows, bp, ldb, cp, ldc, load, last, bj, gelu);
                        continue;
                    }
                    // A ragged last panel: run the tile on scratch and copy its live columns.
                    if (load)
                        for (int r = 0; r < rows; r++)
                            for (int j = 0; j < cols; j++) edge[r * NR + j] = cp[(long)r * ldc + j];
                    Kernel(kc, ap, lda, rows, bp, ldb, edge, NR, load, last, bj, gelu);
                    for (int r = 0; r < rows; r++)
                        for (int j = 0; j < cols; j++) cp[(long)r * ldc + j] = edge[r * NR + j];
                }
            }
            if (k == 0) break;
        }
    }

    /// <summary>One 8x32 tile over kc steps; rows past <paramref name="rows"/> re-read row 0 and are not stored.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel(int kc, float* a, int lda, int rows, float* b, int ldb, float* c, int ldc, bool load, bool last, float* bias, bool gelu)
    {
        float* a0 = a, a1 = rows > 1 ? a + lda : a, a2 = rows > 2 ? a + 2L * lda : a, a3 = rows > 3 ? a + 3L * lda : a;
        float* a4 = rows > 4 ? a + 4L * lda : a, a5 = rows > 5 ? a + 5L * lda : a, a6 = rows > 6 ? a + 6L * lda : a, a7 = rows > 7 ? a + 7L * lda : a;
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            var av = Vector512.Create(a0[p]); c00 = Vector512.FusedMultiplyAdd(av, b0, c00); c01 = Vector512.FusedMultiplyAdd(av, b1, c01);
            av = Vector512.Create(a1[p]); c10 = Vector512.FusedMultiplyAdd(av, b0, c10); c11 = Vector512.FusedMultiplyAdd(av, b1, c11);
            av = Vector512.Create(a2[p]); c20 = Vector512.FusedMultiplyAdd(av, b0, c20); c21 = Vector512.FusedMultiplyAdd(av, b1, c21);
            av = Vector512.Create(a3[p]); c30 = Vector512.FusedMultiplyAdd(av, b0, c30); c31 = Vector512.FusedMultiplyAdd(av, b1, c31);
            av = Vector512.Create(a4[p]); c40 = Vector512.FusedMultiplyAdd(av, b0, c40); c41 = Vector512.FusedMultiplyAdd(av, b1, c41);
            av = Vector512.Create(a5[p]); c50 = Vector512.FusedMultiplyAdd(av, b0, c50); c51 = Vector512.FusedMultiplyAdd(av, b1, c51);
            av = Vector512.Create(a6[p]); c60 = Vector512.FusedMultiplyAdd(av, b0, c60); c61 = Vector512.FusedMultiplyAdd(av, b1, c61);
            av = Vector512.Create(a7[p]); c70 = Vector512.FusedMultiplyAdd(av, b0, c70); c71 = Vector512.FusedMultiplyAdd(av, b1, c71);
            b += ldb;
        }
        Vector512<float> bias0 = default, bias1 = default;
        if (last && bias != null)
        {
            bias0 = Vector512.Load(bias);
            bias1 = Vector512.Load(bias + 16);
        }
        StoreRow(c, c00, c01, load, last, bias0, bias1, gelu);
        if (rows > 1) StoreRow(c + ldc, c10, c11, load, last, bias0, bias1, gelu);
        if (rows > 2) StoreRow(c + 2L * ldc, c20, c21, load, last, bias0, bias1, gelu);
        if (rows > 3) StoreRow(c + 3L * ldc, c30, c31, load, last, bias0, bias1, gelu);
        if (rows > 4) StoreRow(c + 4L * ldc, c40, c41, load, last, bias0, bias1, gelu);
        if (rows > 5) StoreRow(c + 5L * ldc, c50, c51, load, last, bias0, bias1, gelu);
        if (rows > 6) StoreRow(c + 6L * ldc, c60, c61, load, last, bias0, bias1, gelu);
        if (rows > 7) StoreRow(c + 7L * ldc, c70, c71, load, last, bias0, bias1, gelu);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreRow(float* c, Vector512<float> v0, Vector512<float> v1, bool load, bool last, Vector512<float> bias0, Vector512<float> bias1, bool gelu)
    {
        if (load)
        {
            v0 += Vector512.Load(c);
            v1 += Vector512.Load(c + 16);
        }
        if (last)
        {
            v0 += bias0;
            v1 += bias1;
            if (gelu)
            {
                v0 = TokenKernels.Gelu(v0);
                v1 = TokenKernels.Gelu(v1);
            }
        }
        Vector512.Store(v0, c);
        Vector512.Store(v1, c + 16);
    }
}
