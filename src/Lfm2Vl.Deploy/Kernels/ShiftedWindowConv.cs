using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Lfm2Vl.Deploy.Kernels;

/// <summary>
/// A stride-1 convolution as a GEMM without an unfolded matrix. The output is computed on "wide" rows as long as
/// the padded input's (Wp = W + 2 pad; the last k - 1 columns of each row are garbage and dropped), so that the
/// unfolded row of tap (ci, ki, kj) is the padded input itself, shifted: B(r, q) = window[off[r] + q]. The
/// micro-kernel loads each k step's 32 columns from there (an offset per k step) instead of a packed panel.
/// A block of wide columns needs only a window of padded input rows (a few rows per channel), and its output goes
/// to a scratch tile that is compacted into the NCHW result. Unfolding wrote K = 9C floats per output pixel, as much
/// data movement as the GEMM itself at 64 output channels.
/// </summary>
internal static unsafe class ShiftedWindowConv
{
    private const int MR = PackedSgemm.MR, NR = PackedSgemm.NR, KC = PackedSgemm.KC;

    public static int RoundUp(int x) => (x + NR - 1) / NR * NR;

    /// <summary>First padded input row of the window for wide columns starting at q0.</summary>
    public static int FirstRow(int q0, int wp) => q0 / wp;

    /// <summary>Padded input rows per channel for wide columns [q0, q0 + count) (the GEMM computes whole 32-column panels).</summary>
    public static int WindowRows(int q0, int count, int wp, int kernel) => (q0 + RoundUp(count) - 1) / wp - q0 / wp + kernel + 1;

    /// <summary>The most window rows any block of at most <paramref name="maxCount"/> columns needs.</summary>
    public static int MaxWindowRows(int maxCount, int wp, int kernel) => (wp - 1 + RoundUp(maxCount) - 1) / wp + kernel + 1;

    /// <summary>
    /// window[ci][rr][Wp] = the zero-padded input row firstRow + rr of channel ci, for channels [c0, c1).
    /// </summary>
    public static void BuildWindow(float* x, int h, int w, int pad, int firstRow, int rows, float* window, int c0, int c1)
    {
        int wp = w + 2 * pad;
        for (int ci = c0; ci < c1; ci++)
            for (int rr = 0; rr < rows; rr++)
            {
                float* d = window + ((long)ci * rows + rr) * wp;
                int iy = firstRow + rr - pad;
                if ((uint)iy >= (uint)h)
                {
                    new Span<float>(d, wp).Clear();
                    continue;
                }
                for (int j = 0; j < pad; j++) d[j] = 0f;
                new ReadOnlySpan<float>(x + ((long)ci * h + iy) * w, w).CopyTo(new Span<float>(d + pad, w));
                for (int j = pad + w; j < wp; j++) d[j] = 0f;
            }
    }

    /// <summary>off[r] for the taps r = (ci, ki, kj) in the weights' order: where B's row r starts in the window.</summary>
    public static void Offsets(int c, int kernel, int rows, int wp, int* off)
    {
        int r = 0;
        for (int ci = 0; ci < c; ci++)
            for (int ki = 0; ki < kernel; ki++)
                for (int kj = 0; kj < kernel; kj++) off[r++] = (ci * rows + ki) * wp + kj;
    }

    /// <summary>
    /// C [panels m0..m1 of A's rows, count32] (row stride ldc = count32) = act(A B + bias) with B read from the window:
    /// wide column q (relative to the block) of tap row r at window[qBase + q + off[r]].
    /// </summary>
    public static void Gemm(int m, int k, float* pa, float* window, int* off, int qBase, int count32, float* c, float* bias, bool relu, int m0, int m1)
    {
        int mp = PackedSgemm.PanelsM(m), ldc = count32;
        for (int pc = 0; pc < k; pc += KC)
        {
            int kc = Math.Min(KC, k - pc);
            bool first = pc == 0, last = pc + kc >= k;
            float* aBlock = pa + (long)mp * MR * pc;
            for (int jp = 0; jp < count32 / NR; jp++)
            {
                float* xb = window + qBase + jp * NR;
                for (int ip = m0; ip < m1; ip++)
                    Kernel(kc, aBlock + (long)ip * kc * MR, xb, off + pc, c + (long)ip * MR * ldc + jp * NR, ldc, first, last, bias + ip * MR, relu);
            }
        }
    }

    /// <summary>y[oc, oy * ow + ox] = c[oc, q - q0] for the wide columns q in [q0, q0 + count) with ox = q % wp inside the output.</summary>
    public static void Compact(float* c, int ldc, int m, int q0, int count, int wp, int ow, float* y, int plane)
    {
        int q = q0, end = q0 + count;
        while (q < end)
        {
            int oy = q / wp, ox = q % wp;
            int runEnd = Math.Min(end, oy * wp + ow);
            int len = runEnd - q;
            if (len > 0)
                for (int oc = 0; oc < m; oc++)
                    new ReadOnlySpan<float>(c + (long)oc * ldc + (q - q0), len).CopyTo(new Span<float>(y + (long)oc * plane + oy * ow + ox, len));
            q = (oy + 1) * wp;
        }
    }

    /// <summary>PackedSgemm's 8x32 tile with B's row p read at xb + off[p] instead of the next packed panel row. Kept
    /// as its own copy: routing the packed kernel through an offset table would add a load per k step to every GEMM.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel(int kc, float* a, float* xb, int* off, float* c, int ldc, bool first, bool last, float* bias, bool relu)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (int p = 0; p < kc; p++)
        {
            float* b = xb + off[p];
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
        }
        PackedSgemm.StoreRow(c, c00, c01, first, last, bias[0], relu);
        PackedSgemm.StoreRow(c + ldc, c10, c11, first, last, bias[1], relu);
        PackedSgemm.StoreRow(c + 2L * ldc, c20, c21, first, last, bias[2], relu);
        PackedSgemm.StoreRow(c + 3L * ldc, c30, c31, first, last, bias[3], relu);
        PackedSgemm.StoreRow(c + 4L * ldc, c40, c41, first, last, bias[4], relu);
        PackedSgemm.StoreRow(c + 5L * ldc, c50, c51, first, last, bias[5], relu);
        PackedSgemm.StoreRow(c + 6L * ldc, c60, c61, first, last, bias[6], relu);
        PackedSgemm.StoreRow(c + 7L * ldc, c70, c71, first, last, bias[7], relu);
    }
}
