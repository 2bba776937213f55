using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Lfm2Vl.Engine.Backends.Cpu;

/// <summary>
/// Packed, cache-blocked single-precision GEMM (BLIS loop order): C[M,N] (=|+=) A[M,K] B[K,N].
/// Loops: jc over N in NC-wide slabs (packed B block, kc x nc, lives in L3) -> pc over K in KC steps ->
/// ic over M in MC-tall blocks (packed A block, mc x kc, lives in L2) -> jr over NR-wide B micro-panels
/// (one stays in L1) -> ir over MR-tall A micro-panels -> register-tiled micro-kernel.
/// A and B may have any strides (transposes are absorbed by packing); a row-major B is read in place.
/// A single-row or single-column C goes to the matrix-vector paths (<see cref="SgemvPaths"/>) instead.
/// Multi-threading splits C into one
/// piece per core along its larger dimension; each piece runs the whole blocked loop with its own buffers,
/// so there is no synchronisation inside a call and a serial call (parallel: false) never touches the pool.
/// </summary>
public static unsafe class SgemmPacked
{
    // Block sizes, tuned on a 2-core Zen 5 (48 KiB L1d, 1 MiB L2 per core, 32 MiB L3): 256 to 512 for KC and
    // 384 to 768 KiB for the A block all measured within noise of each other; deeper KC halves the C traffic.
    /// <summary>Depth of one block (k steps per micro-kernel call).</summary>
    internal const int KC = 512;
    /// <summary>Target size in bytes of a packed A block (half the L2).</summary>
    internal const int ABlockBytes = 512 << 10;
    /// <summary>Width of a B block (a packed one is KC x NC = 4 MiB, an eighth of the L3).</summary>
    internal const int NC = 2048;
    /// <summary>Below this many multiply-adds a call stays on the calling thread.</summary>
    internal const long ParallelThreshold = 1L << 20;

    /// <summary>Name of the micro-kernel this machine uses (for benchmark reports).</summary>
    public static string KernelName =>
        SgemmKernelAvx512.IsSupported ? "avx512 14x32 (+8x32 tail)" : SgemmKernelAvx2.IsSupported ? "avx2 6x16" : "scalar 4x4";

    /// <summary>
    /// C[cOff + i*ldc + j] (=|+=) sum_p A[aOff + i*aRowStride + p*aColStride] * B[bOff + p*bRowStride + j*bColStride].
    /// </summary>
    public static void Run(int m, int n, int k,
        float[] a, int aOff, int aRowStride, int aColStride,
        float[] b, int bOff, int bRowStride, int bColStride,
        float[] c, int cOff, int ldc, bool accumulate, bool parallel = true)
    {
        if (SgemmKernelAvx512.IsSupported)
            Run<SgemmKernelAvx512>(m, n, k, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride, c, cOff, ldc, accumulate, parallel);
        else if (SgemmKernelAvx2.IsSupported)
            Run<SgemmKernelAvx2>(m, n, k, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride, c, cOff, ldc, accumulate, parallel);
        else
            Run<SgemmKernelScalar>(m, n, k, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride, c, cOff, ldc, accumulate, parallel);
    }

    /// <summary>Same as <see cref="Run"/> with an explicit micro-kernel (tests run every kernel the CPU supports).</summary>
    internal static void Run<TK>(int m, int n, int k,
        float[] a, int aOff, int aRowStride, int aColStride,
        float[] b, int bOff, int bRowStride, int bColStride,
        float[] c, int cOff, int ldc, bool accumulate, bool parallel) where TK : ISgemmKernel
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        if (m == 0 || n == 0) return;
        // The kernels use raw pointers: prove every element touched lies inside its array.
        CheckExtent(a, aOff, m, aRowStride, k, aColStride, nameof(a));
        CheckExtent(b, bOff, k, bRowStride, n, bColStride, nameof(b));
        CheckExtent(c, cOff, m, ldc, n, 1, nameof(c));
        if (k == 0)
        {
            if (!accumulate) for (int i = 0; i < m; i++) c.AsSpan(cOff + i * ldc, n).Clear();
            return;
        }
        fixed (float* pa = a, pb = b, pc = c)
            Compute<TK>(m, n, k, pa + aOff, aRowStride, aColStride, pb + bOff, bRowStride, bColStride,
                pc + cOff, ldc, 1, accumulate, parallel);
    }

    internal static void CheckExtent(float[] arr, int off, int rows, int rowStride, int cols, int colStride, string name)
    {
        if (rows == 0 || cols == 0) return; // nothing is read
        long last1 = (long)(rows - 1) * rowStride, last2 = (long)(cols - 1) * colStride;
        long lo = off + Math.Min(0, last1) + Math.Min(0, last2);
        long hi = off + Math.Max(0, last1) + Math.Max(0, last2);
        if (lo < 0 || hi >= arr.Length)
            throw new ArgumentOutOfRangeException(name, $"GEMM operand {name} ({rows}x{cols}, offset {off}, strides {rowStride},{colStride}) exceeds its array of {arr.Length}.");
    }

    private static void Compute<TK>(int m, int n, int k, float* a, nint ars, nint acs, float* b, nint brs, nint bcs,
        float* c, nint crs, nint ccs, bool accumulate, bool parallel) where TK : ISgemmKernel
    {
        if (SgemvPaths.TryRun(m, n, k, a, ars, acs, b, brs, bcs, c, crs, ccs, accumulate, parallel)) return;
        // A narrow C (n far below NR) wastes most of each tile; C^T = B^T A^T swaps the roles of the dimensions.
        // When C is row-major the swapped C is column-major, and every tile then goes out through scalar stores one
        // row of C apart (a cache line each): 32x27x4096 (the first 3x3 conv of a 64x64 image at batch 1) took
        // ~0.95 ms that way. So a row-major C is swapped only where it saves at least half the padded work.
        long padded = RoundUp(m, TK.MR) * (long)RoundUp(n, TK.NR);
        long paddedT = RoundUp(n, TK.MR) * (long)RoundUp(m, TK.NR);
        if (ccs == 1 ? paddedT * 2 < padded : paddedT * 5 < padded * 4)
        {
            (m, n) = (n, m);
            float* t = a; a = b; b = t;
            (ars, acs, brs, bcs) = (bcs, brs, acs, ars);
            (crs, ccs) = (ccs, crs);
        }

        int workers = Environment.ProcessorCount;
        if (!parallel || workers == 1 || (long)m * n * k < ParallelThreshold)
        {
            Blocked<TK>(m, n, k, a, ars, acs, b, brs, bcs, c, crs, ccs, accumulate);
            return;
        }
        InPieces<TK>(workers, m, n, k, a, ars, acs, b, brs, bcs, c, crs, ccs, accumulate);
    }

    /// <summary>
    /// One piece of C per core, split along the dimension with more tiles, at tile boundaries. (A method of its own
    /// so the closure is only allocated on this path.)
    /// </summary>
    private static void InPieces<TK>(int workers, int m, int n, int k, float* a, nint ars, nint acs, float* b, nint brs, nint bcs,
        float* c, nint crs, nint ccs, bool accumulate) where TK : ISgemmKernel
    {
        int tilesM = (m + TK.MR - 1) / TK.MR, tilesN = (n + TK.NR - 1) / TK.NR;
        bool splitM = tilesM >= tilesN;
        int tiles = splitM ? tilesM : tilesN, unit = splitM ? TK.MR : TK.NR, extent = splitM ? m : n;
        int pieces = Math.Min(workers, tiles);
        if (pieces == 1)
        {
            Blocked<TK>(m, n, k, a, ars, acs, b, brs, bcs, c, crs, ccs, accumulate);
            return;
        }
        nint pa = (nint)a, pb = (nint)b, pc = (nint)c; // pointers cannot be captured; the caller keeps the arrays pinned
        Parallel.For(0, pieces, new ParallelOptions { MaxDegreeOfParallelism = pieces }, piece =>
        {
            int s = Math.Min(extent, tiles * piece / pieces * unit);
            int e = Math.Min(extent, tiles * (piece + 1) / pieces * unit);
            if (s >= e) return;
            if (splitM)
                Blocked<TK>(e - s, n, k, (float*)pa + s * ars, ars, acs, (float*)pb, brs, bcs, (float*)pc + s * crs, crs, ccs, accumulate);
            else
                Blocked<TK>(m, e - s, k, (float*)pa, ars, acs, (float*)pb + s * bcs, brs, bcs, (float*)pc + s * ccs, crs, ccs, accumulate);
        });
    }

    /// <summary>The serial five-loop algorithm on one piece of C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Blocked<TK>(int m, int n, int k, float* a, nint ars, nint acs, float* b, nint brs, nint bcs,
        float* c, nint crs, nint ccs, bool accumulate, float* prepackedA = null) where TK : ISgemmKernel
    {
        int mr = TK.MR, nr = TK.NR;
        // Even block sizes: k = 300 becomes two steps of 150, not 256 + 44.
        int kcStep = Even(k, KC, 1);
        int mcMax = Math.Max(mr, ABlockBytes / (sizeof(float) * kcStep) / mr * mr);
        int mcStep = Even(m, mcMax, mr);
        int ncStep = Even(n, NC, nr);
        // Row-major B (unit column stride) needs no packing: each row already holds NR contiguous floats per k step,
        // and skipping the copy matters most when few rows of A share it (measured 130 -> 150 GFLOP/s on one core
        // for 64x3136x576, no loss on 2048^3).
        bool inPlaceB = bcs == 1;
        int packedBCols = inPlaceB ? nr : RoundUp(ncStep, nr); // in place: at most the ragged last panel is packed
        var ws = SgemmWorkspace.ForCurrentThread(RoundUp(mcStep, mr) * kcStep + SgemmPacking.Slack,
            packedBCols * kcStep + SgemmPacking.Slack, mr * nr);

        for (int jc = 0; jc < n; jc += ncStep)
        {
            int nc = Math.Min(ncStep, n - jc);
            for (int p0 = 0; p0 < k; p0 += kcStep)
            {
                int kc = Math.Min(kcStep, k - p0);
                bool acc = accumulate || p0 > 0;
                float* bBlock = b + p0 * brs + jc * bcs;
                int inPlaceCols = 0;
                if (inPlaceB)
                {
                    // Full NR-wide column panels are read where they are; only a ragged last panel is packed.
                    inPlaceCols = nc / nr * nr;
                    if (inPlaceCols < nc) SgemmPacking.PackB(kc, nc - inPlaceCols, bBlock + inPlaceCols, brs, 1, ws.B, nr);
                }
                else SgemmPacking.PackB(kc, nc, bBlock, brs, bcs, ws.B, nr);
                for (int ic = 0; ic < m; ic += mcStep)
                {
                    int mc = Math.Min(mcStep, m - ic);
                    float* ap = ws.A;
                    // A packed once by SgemmPackedA: block p0 holds all row panels, panel i at i*kc.
                    if (prepackedA != null) ap = prepackedA + (nint)RoundUp(m, mr) * p0 + (nint)ic * kc;
                    else SgemmPacking.PackA(mc, kc, a + ic * ars + p0 * acs, ars, acs, ws.A, mr, TK.ShortMR);
                    Macro<TK>(mc, nc, kc, ap, ws.B, bBlock, brs, inPlaceCols, c + ic * crs + jc * ccs, crs, ccs, acc, ws.Tile);
                }
            }
        }
    }

    /// <summary>
    /// All micro-tiles of one packed A block times one B block: columns below <paramref name="inPlaceCols"/> are read
    /// in place from <paramref name="bSrc"/> (row stride <paramref name="bRowStride"/>), the rest from the packed
    /// panels at <paramref name="pb"/> (which then start at column inPlaceCols).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Macro<TK>(int mc, int nc, int kc, float* pa, float* pb, float* bSrc, nint bRowStride, int inPlaceCols,
        float* c, nint crs, nint ccs, bool accumulate, float* tile) where TK : ISgemmKernel
    {
        int mr = TK.MR, nr = TK.NR;
        for (int jr = 0; jr < nc; jr += nr)
        {
            int nEdge = Math.Min(nr, nc - jr);
            bool inPlace = jr < inPlaceCols;
            float* bp = inPlace ? bSrc + jr : pb + (nint)(jr - inPlaceCols) * kc;
            nint ldb = inPlace ? bRowStride : nr;
            for (int ir = 0; ir < mc; ir += mr)
            {
                int mEdge = Math.Min(mr, mc - ir);
                bool isShort = mEdge <= TK.ShortMR; // last panel, packed ShortMR wide
                float* ap = pa + (nint)ir * kc;
                float* cp = c + ir * crs + jr * ccs;
                if (mEdge == (isShort ? TK.ShortMR : mr) && nEdge == nr && ccs == 1)
                {
                    if (isShort) TK.TileShort(kc, ap, bp, ldb, cp, crs, accumulate);
                    else TK.Tile(kc, ap, bp, ldb, cp, crs, accumulate);
                    continue;
                }
                // Edge or strided tile: full tile into scratch, then copy/add the live part.
                if (isShort) TK.TileShort(kc, ap, bp, ldb, tile, nr, false);
                else TK.Tile(kc, ap, bp, ldb, tile, nr, false);
                for (int i = 0; i < mEdge; i++)
                {
                    float* crow = cp + i * crs, trow = tile + i * nr;
                    if (ccs == 1)
                    {
                        var dst = new Span<float>(crow, nEdge);
                        if (accumulate) TensorPrimitives.Add(dst, new ReadOnlySpan<float>(trow, nEdge), dst);
                        else new ReadOnlySpan<float>(trow, nEdge).CopyTo(dst);
                    }
                    else if (accumulate) for (int j = 0; j < nEdge; j++) crow[j * ccs] += trow[j];
                    else for (int j = 0; j < nEdge; j++) crow[j * ccs] = trow[j];
                }
            }
        }
    }

    internal static int RoundUp(int x, int unit) => (x + unit - 1) / unit * unit;

    /// <summary>Block size near <paramref name="max"/> that splits <paramref name="total"/> into equal blocks (a multiple of unit).</summary>
    internal static int Even(int total, int max, int unit)
    {
        int blocks = (total + max - 1) / max;
        return RoundUp((total + blocks - 1) / blocks, unit);
    }
}
