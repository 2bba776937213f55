using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lfm2Vl.Deploy.Kernels;

/// <summary>
/// Implicit-GEMM int8 convolution over a padded NHWC uint8 input (<see cref="Int8NhwcInput"/>), no unfolding:
/// a micro-kernel computes <see cref="MR"/> output pixels x <see cref="OcBlock"/> output channels as int32 sums. Per
/// step it broadcasts one 32-bit word read straight from the NHWC buffer (four input channels of one input pixel; for
/// tight RGB pixels, bytes of two) per pixel and multiplies it with vpdpbusd (u8 x s8, four products summed into each int32 lane, exact) against two
/// 8-lane weight vectors. For a fixed kernel row ki the k taps of a pixel are k adjacent NHWC pixels, so a kernel
/// row is one contiguous run of k * pixelBytes bytes, walked 4 bytes a step; the weights are laid out in the same
/// order: [OC block][ki][row word][16 lanes][4 bytes]. Sums are exact in int32 (K * 255 * 127 < 2^31).
/// </summary>
internal static unsafe class Int8DirectConv
{
    /// <summary>Output pixels per micro-kernel call: 16 accumulators fill ymm0-15; the weight vectors and the broadcast
    /// live in ymm16+, which the JIT addresses with EVEX encodings when the CPU has AVX-512 (checked in the disassembly
    /// on Zen 5; on an AVX-VNNI CPU without AVX-512 the kernel still runs, with a few spills).</summary>
    public const int MR = 8;
    /// <summary>Output channels per micro-kernel call: two 8-lane int32 vectors.</summary>
    public const int OcBlock = 16;

    public static bool VnniAvailable => AvxVnni.IsSupported;

    public static int OcBlocks(int oc) => (oc + OcBlock - 1) / OcBlock;

    /// <summary>Words per kernel row: k pixels of <see cref="Int8NhwcInput.PixelBytes"/> each, rounded up.</summary>
    public static int RowQuads(int c, int kernel) => (kernel * Int8NhwcInput.PixelBytes(c) + 3) / 4;

    /// <summary>Bytes of one OC block of packed weights: k rows x row words x 16 lanes x 4.</summary>
    public static int BlockBytes(int c, int kernel) => kernel * RowQuads(c, kernel) * OcBlock * 4;

    /// <summary>Q [OC][C][k][k] -> [OC block][ki][row word][16 lanes][4 bytes]: byte j = kj * pixelBytes + ci of kernel
    /// row ki, in the order the NHWC input holds it; zero for padded channels, the row's tail and padded outputs.</summary>
    public static sbyte[] PackWeights(ReadOnlySpan<sbyte> q, int oc, int c, int kernel)
    {
        int cs = Int8NhwcInput.PixelBytes(c), rowQuads = RowQuads(c, kernel), block = BlockBytes(c, kernel);
        var packed = GC.AllocateArray<sbyte>(OcBlocks(oc) * block, pinned: true);
        for (int o = 0; o < oc; o++)
            for (int ci = 0; ci < c; ci++)
                for (int ki = 0; ki < kernel; ki++)
                    for (int kj = 0; kj < kernel; kj++)
                    {
                        int j = kj * cs + ci, step = ki * rowQuads + j / 4;
                        packed[o / OcBlock * block + (step * OcBlock + o % OcBlock) * 4 + j % 4] = q[((o * c + ci) * kernel + ki) * kernel + kj];
                    }
        return packed;
    }

    /// <summary>
    /// acc[m * 16 + lane] = sum over the window of pixel m: x[pixel m's window origin + offsets] * w[lane], where
    /// pixel m's window starts at <c>x + origins[m]</c>; kernel row ki starts <c>ki * rowStride</c> bytes further and
    /// is <paramref name="rowQuads"/> words long.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void KernelVnni(byte* x, int* origins, nint rowStride, int kernel, int rowQuads, sbyte* w, int* acc)
    {
        byte* p0 = x + origins[0], p1 = x + origins[1], p2 = x + origins[2], p3 = x + origins[3], p4 = x + origins[4], p5 = x + origins[5], p6 = x + origins[6], p7 = x + origins[7];
        Vector256<int> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default;
        Vector256<int> c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
        for (int ki = 0; ki < kernel; ki++)
        {
            nint off = ki * rowStride, end = off + rowQuads * 4;
            for (; off < end; off += 4)
            {
                var w0 = Vector256.Load(w);
                var w1 = Vector256.Load(w + 32);
                w += 64;
                var b0 = Vector256.Create(*(int*)(p0 + off)).AsByte();
                c00 = AvxVnni.MultiplyWideningAndAdd(c00, b0, w0); c01 = AvxVnni.MultiplyWideningAndAdd(c01, b0, w1);
                var b1 = Vector256.Create(*(int*)(p1 + off)).AsByte();
                c10 = AvxVnni.MultiplyWideningAndAdd(c10, b1, w0); c11 = AvxVnni.MultiplyWideningAndAdd(c11, b1, w1);
                var b2 = Vector256.Create(*(int*)(p2 + off)).AsByte();
                c20 = AvxVnni.MultiplyWideningAndAdd(c20, b2, w0); c21 = AvxVnni.MultiplyWideningAndAdd(c21, b2, w1);
                var b3 = Vector256.Create(*(int*)(p3 + off)).AsByte();
                c30 = AvxVnni.MultiplyWideningAndAdd(c30, b3, w0); c31 = AvxVnni.MultiplyWideningAndAdd(c31, b3, w1);
                var b4 = Vector256.Create(*(int*)(p4 + off)).AsByte();
                c40 = AvxVnni.MultiplyWideningAndAdd(c40, b4, w0); c41 = AvxVnni.MultiplyWideningAndAdd(c41, b4, w1);
                var b5 = Vector256.Create(*(int*)(p5 + off)).AsByte();
                c50 = AvxVnni.MultiplyWideningAndAdd(c50, b5, w0); c51 = AvxVnni.MultiplyWideningAndAdd(c51, b5, w1);
                var b6 = Vector256.Create(*(int*)(p6 + off)).AsByte();
                c60 = AvxVnni.MultiplyWideningAndAdd(c60, b6, w0); c61 = AvxVnni.MultiplyWideningAndAdd(c61, b6, w1);
                var b7 = Vector256.Create(*(int*)(p7 + off)).AsByte();
                c70 = AvxVnni.MultiplyWideningAndAdd(c70, b7, w0); c71 = AvxVnni.MultiplyWideningAndAdd(c71, b7, w1);
            }
        }
        c00.Store(acc + 0); c01.Store(acc + 8);
        c10.Store(acc + 16); c11.Store(acc + 24);
        c20.Store(acc + 32); c21.Store(acc + 40);
        c30.Store(acc + 48); c31.Store(acc + 56);
        c40.Store(acc + 64); c41.Store(acc + 72);
        c50.Store(acc + 80); c51.Store(acc + 88);
        c60.Store(acc + 96); c61.Store(acc + 104);
        c70.Store(acc + 112); c71.Store(acc + 120);
    }

    /// <summary>The reference: the same sums in plain integer arithmetic, same layouts.</summary>
    public static void KernelScalar(byte* x, int* origins, nint rowStride, int kernel, int rowQuads, sbyte* w, int* acc)
    {
        for (int m = 0; m < MR; m++)
            for (int lane = 0; lane < OcBlock; lane++)
            {
                int sum = 0;
                sbyte* wl = w + lane * 4;
                for (int ki = 0; ki < kernel; ki++)
                {
                    byte* row = x + origins[m] + ki * rowStride;
                    for (int r = 0; r < rowQuads; r++, wl += OcBlock * 4)
                        sum += row[r * 4] * wl[0] + row[r * 4 + 1] * wl[1] + row[r * 4 + 2] * wl[2] + row[r * 4 + 3] * wl[3];
                }
                acc[m * OcBlock + lane] = sum;
            }
    }
}
