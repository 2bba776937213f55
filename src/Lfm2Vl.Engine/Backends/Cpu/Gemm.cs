using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;

namespace Lfm2Vl.Engine.Backends.Cpu;

/// <summary>
/// GEMM entry point: C[M,N] (=|+=) A[M,K] B[K,N] with arbitrary row/column strides for A and B and a row-major C
/// (row stride ldc). Float32 runs on the packed micro-kernel GEMM (<see cref="SgemmPacked"/>); other types use
/// <see cref="RunReference{T}"/>.
/// </summary>
public static class Gemm
{
    private const int KBlock = 256;

    /// <summary>Diagnostics: route float32 through the reference GEMM too (set LFM2VL_GEMM=reference).</summary>
    public static bool ForceReference { get; set; } = Environment.GetEnvironmentVariable("LFM2VL_GEMM") == "reference";

    /// <summary>C (=|+=) A B. <paramref name="parallel"/>: false when already inside a parallel loop.</summary>
    public static void Run<T>(int m, int n, int k,
        T[] a, int aOff, int aRowStride, int aColStride,
        T[] b, int bOff, int bRowStride, int bColStride,
        T[] c, int cOff, int ldc, bool accumulate, bool parallel = true) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (typeof(T) == typeof(float) && !ForceReference)
        {
            SgemmPacked.Run(m, n, k, Unsafe.As<float[]>(a), aOff, aRowStride, aColStride,
                Unsafe.As<float[]>(b), bOff, bRowStride, bColStride, Unsafe.As<float[]>(c), cOff, ldc, accumulate, parallel);
            return;
        }
        RunReference(m, n, k, a, aOff, aRowStride, aColStride, b, bOff, bRowStride, bColStride, c, cOff, ldc, accumulate, parallel);
    }

    /// <summary>
    /// Reference-grade blocked GEMM: rows of C are updated with SIMD row updates, blocked over K so a panel of B
    /// stays in cache. Simple and obviously correct: the baseline the packed GEMM is tested and benchmarked against.
    /// Note it skips zero entries of A, so 0 * inf/NaN in B contributes nothing here (the packed path gives NaN).
    /// </summary>
    public static void RunReference<T>(int m, int n, int k,
        T[] a, int aOff, int aRowStride, int aColStride,
        T[] b, int bOff, int bRowStride, int bColStride,
        T[] c, int cOff, int ldc, bool accumulate, bool parallel = true) where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (m == 0 || n == 0) return;
        if (k == 0)
        {
            if (!accumulate) for (int i = 0; i < m; i++) c.AsSpan(cOff + i * ldc, n).Clear();
            return;
        }
        // B must have unit column stride for SIMD row updates; pack it otherwise.
        T[]? packedB = null;
        if (bColStride != 1)
        {
            packedB = new T[k * n];
            for (int p = 0; p < k; p++)
                for (int j = 0; j < n; j++)
                    packedB[p * n + j] = b[bOff + p * bRowStride + j * bColStride];
            b = packedB; bOff = 0; bRowStride = n; bColStride = 1;
        }

        void Rows(int i0, int i1)
        {
            for (int i = i0; i < i1; i++)
                if (!accumulate) c.AsSpan(cOff + i * ldc, n).Clear();
            for (int p0 = 0; p0 < k; p0 += KBlock)
            {
                int p1 = Math.Min(k, p0 + KBlock);
                for (int i = i0; i < i1; i++)
                {
                    var crow = c.AsSpan(cOff + i * ldc, n);
                    int aBase = aOff + i * aRowStride;
                    for (int p = p0; p < p1; p++)
                    {
                        T av = a[aBase + p * aColStride];
                        if (av == T.Zero) continue;
                        TensorPrimitives.MultiplyAdd(new ReadOnlySpan<T>(b, bOff + p * bRowStride, n), av, crow, crow);
                    }
                }
            }
        }

        long work = (long)m * n * k;
        int workers = Environment.ProcessorCount;
        if (!parallel || work < 1 << 16 || workers == 1 || m == 1)
        {
            Rows(0, m);
            return;
        }
        int chunks = Math.Min(m, workers * 4);
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = workers },
            ch => Rows((int)((long)m * ch / chunks), (int)((long)m * (ch + 1) / chunks)));
    }
}
