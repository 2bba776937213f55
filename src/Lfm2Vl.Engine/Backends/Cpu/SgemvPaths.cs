using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Lfm2Vl.Engine.Backends.Cpu;

/// <summary>
/// Matrix-vector products (C with one row or one column: batch-1 linear layers), where a 14 x 32 register tile
/// would spend 13/14 of its work on padding. y = x B, as row updates (B rows contiguous) or as dot products
/// (B columns contiguous). A single-column C is the same problem transposed.
/// </summary>
internal static unsafe class SgemvPaths
{
    /// <summary>Columns of y kept in L1 while all k row updates pass over them.</summary>
    private const int ColumnBlock = 4096;

    /// <summary>Runs the product when C is a single row or column and B (or A) has a unit stride; false otherwise.</summary>
    public static bool TryRun(int m, int n, int k, float* a, nint ars, nint acs, float* b, nint brs, nint bcs,
        float* c, nint crs, nint ccs, bool accumulate, bool parallel)
    {
        if (m == 1) return TryRowVector(n, k, a, acs, b, brs, bcs, c, ccs, accumulate, parallel);
        // C[:, 0] = A b  <=>  C^T = b^T A^T: a row vector b times the k x m matrix A^T.
        if (n == 1) return TryRowVector(m, k, b, brs, a, acs, ars, c, crs, accumulate, parallel);
        return false;
    }

    /// <summary>y[j*ys] (=|+=) sum_p x[p*xs] B[p*brs + j*bcs] for j &lt; n.</summary>
    private static bool TryRowVector(int n, int k, float* x, nint xs, float* b, nint brs, nint bcs, float* y, nint ys,
        bool accumulate, bool parallel)
    {
        bool rows = bcs == 1 && ys == 1, columns = brs == 1 && xs == 1;
        if (!rows && !columns) return false;
        int workers = Environment.ProcessorCount;
        if (!parallel || workers == 1 || (long)n * k < SgemmPacked.ParallelThreshold || n < 2 * 64)
        {
            Columns(0, n, k, x, xs, b, brs, bcs, y, ys, accumulate, rows);
            return true;
        }
        nint px = (nint)x, pb = (nint)b, py = (nint)y; // the caller keeps the arrays pinned
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, piece =>
        {
            int j0 = (int)((long)n * piece / workers) & ~15, j1 = piece == workers - 1 ? n : (int)((long)n * (piece + 1) / workers) & ~15;
            Columns(j0, j1, k, (float*)px, xs, (float*)pb, brs, bcs, (float*)py, ys, accumulate, rows);
        });
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Columns(int j0, int j1, int k, float* x, nint xs, float* b, nint brs, nint bcs, float* y, nint ys,
        bool accumulate, bool rows)
    {
        if (rows)
        {
            // Row updates, blocked so the slice of y stays in L1 across all k steps.
            for (int jb = j0; jb < j1; jb += ColumnBlock)
            {
                var yBlock = new Span<float>(y + jb, Math.Min(ColumnBlock, j1 - jb));
                if (!accumulate) yBlock.Clear();
                for (int p = 0; p < k; p++)
                    TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(b + p * brs + jb, yBlock.Length), x[p * xs], yBlock, yBlock);
            }
            return;
        }
        var xSpan = new ReadOnlySpan<float>(x, k);
        for (int j = j0; j < j1; j++)
        {
            float dot = TensorPrimitives.Dot(xSpan, new ReadOnlySpan<float>(b + j * bcs, k));
            y[j * ys] = accumulate ? y[j * ys] + dot : dot;
        }
    }
}
