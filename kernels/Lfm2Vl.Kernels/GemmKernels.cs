using ILGPU;

namespace Lfm2Vl.Kernels;

/// <summary>
/// Compile-time tile geometry of the tiled GEMM: a group computes a BM x BN block of C, stepping through K
/// in BK slices staged in shared memory; each thread keeps a TM x TN register block. Implementations return
/// literals, so after inlining every size is a constant (shared and local arrays need constant extents).
/// </summary>
public interface IGemmTile
{
    int BM { get; }
    int BN { get; }
    int BK { get; }
    int TM { get; }
    int TN { get; }
}

/// <summary>64 x 64 x 16 tiles, 4 x 4 per thread: 256 threads per group (GPUs and OpenCL devices).</summary>
public struct GemmTile64 : IGemmTile
{
    public int BM => 64;
    public int BN => 64;
    public int BK => 16;
    public int TM => 4;
    public int TN => 4;
}

/// <summary>16 x 16 x 8 tiles, 2 x 2 per thread: 64 threads per group (ILGPU's CPU simulator, where every
/// thread of a group is an OS thread and barriers are expensive).</summary>
public struct GemmTile16 : IGemmTile
{
    public int BM => 16;
    public int BN => 16;
    public int BK => 8;
    public int TM => 2;
    public int TN => 2;
}

/// <summary>
/// C[b] (=|+=) A[b] @ B[b] for every batch index b: A is M x K, B is K x N with any row and column strides
/// (so transposed operands need no copy), C is M x N with unit column stride. Batch offsets come from the
/// batch shape and each operand's batch strides (stride 0 broadcasts an operand over the batch).
/// </summary>
public struct GemmArgs
{
    public int M, N, K, Batch;
    public Dims8 BatchShape;
    public Strides8 ABatch, BBatch, CBatch;
    public int ARow, ACol, BRow, BCol, CRow;
    public int Accumulate;
}

public static class GemmKernels
{
    /// <summary>
    /// Shared-memory tiled GEMM with register blocking. Grid: (tiles along N, tiles along M, batches);
    /// group: 1-D with (BM/TM)*(BN/TN) threads. Any M, N, K: out-of-range loads read 0, stores are masked.
    /// </summary>
    public static void Tiled<T, O, TT>(GemmArgs g, ArrayView<T> a, ArrayView<T> b, ArrayView<T> c)
        where T : unmanaged where O : struct, INum<T> where TT : struct, IGemmTile
    {
        TT tt = default;
        O o = default;
        // A's tile is stored k-major with one padding column, so the k-consecutive stores of a warp hit distinct banks.
        var sa = SharedMemory.Allocate<T>(tt.BK * (tt.BM + 1));
        var sb = SharedMemory.Allocate<T>(tt.BK * tt.BN);
        var acc = LocalMemory.Allocate<T>(tt.TM * tt.TN);
        var ra = LocalMemory.Allocate<T>(tt.TM);
        var rb = LocalMemory.Allocate<T>(tt.TN);
        int threadsX = tt.BN / tt.TN, threadsY = tt.BM / tt.TM, threads = threadsX * threadsY;
        int tid = Group.IdxX, tx = tid % threadsX, ty = tid / threadsX;
        int m0 = Grid.IdxY * tt.BM, n0 = Grid.IdxX * tt.BN;

        for (int bt = Grid.IdxZ; bt < g.Batch; bt += Grid.DimZ)
        {
            var bc = g.BatchShape.Decompose(bt);
            int aBase = g.ABatch.At(bc), bBase = g.BBatch.At(bc), cBase = g.CBatch.At(bc);
            for (int i = 0; i < tt.TM * tt.TN; i++) acc[i] = o.Zero;

            for (int k0 = 0; k0 < g.K; k0 += tt.BK)
            {
                for (int e = tid; e < tt.BM * tt.BK; e += threads)
                {
                    int r = e / tt.BK, kk = e % tt.BK, gm = m0 + r, gk = k0 + kk;
                    sa[kk * (tt.BM + 1) + r] = gm < g.M && gk < g.K ? a[aBase + gm * g.ARow + gk * g.ACol] : o.Zero;
                }
                for (int e = tid; e < tt.BK * tt.BN; e += threads)
                {
                    int kk = e / tt.BN, cc = e % tt.BN, gn = n0 + cc, gk = k0 + kk;
                    sb[kk * tt.BN + cc] = gk < g.K && gn < g.N ? b[bBase + gk * g.BRow + gn * g.BCol] : o.Zero;
                }
                Group.Barrier();
                for (int kk = 0; kk < tt.BK; kk++)
                {
                    for (int i = 0; i < tt.TM; i++) ra[i] = sa[kk * (tt.BM + 1) + ty + i * threadsY];
                    for (int j = 0; j < tt.TN; j++) rb[j] = sb[kk * tt.BN + tx + j * threadsX];
                    for (int i = 0; i < tt.TM; i++)
                        for (int j = 0; j < tt.TN; j++)
                            acc[i * tt.TN + j] = o.Add(acc[i * tt.TN + j], o.Mul(ra[i], rb[j]));
                }
                Group.Barrier();
            }

            for (int i = 0; i < tt.TM; i++)
            {
                int gm = m0 + ty + i * threadsY;
                if (gm >= g.M) continue;
                for (int j = 0; j < tt.TN; j++)
                {
                    int gn = n0 + tx + j * threadsX;
                    if (gn >= g.N) continue;
                    int ci = cBase + gm * g.CRow + gn;
                    c[ci] = g.Accumulate != 0 ? o.Add(c[ci], acc[i * tt.TN + j]) : acc[i * tt.TN + j];
                }
            }
        }
    }

    /// <summary>The reference: one thread per element of C, a plain dot product over K.</summary>
    public static void Naive<T, O>(GemmArgs g, ArrayView<T> a, ArrayView<T> b, ArrayView<T> c)
        where T : unmanaged where O : struct, INum<T>
    {
        O o = default;
        int total = g.M * g.N * g.Batch;
        for (int idx = Grid.GlobalIndex.X; idx < total; idx += Grid.DimX * Group.DimX)
        {
            int n = idx % g.N, rest = idx / g.N, m = rest % g.M, bt = rest / g.M;
            var bc = g.BatchShape.Decompose(bt);
            int ai = g.ABatch.At(bc) + m * g.ARow, bi = g.BBatch.At(bc) + n * g.BCol;
            T sum = o.Zero;
            for (int k = 0; k < g.K; k++)
                sum = o.Add(sum, o.Mul(a[ai + k * g.ACol], b[bi + k * g.BRow]));
            int ci = g.CBatch.At(bc) + m * g.CRow + n;
            c[ci] = g.Accumulate != 0 ? o.Add(c[ci], sum) : sum;
        }
    }
}
