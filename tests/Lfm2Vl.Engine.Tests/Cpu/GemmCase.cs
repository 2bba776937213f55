using Lfm2Vl.Engine.Backends.Cpu;

namespace Lfm2Vl.Engine.Tests.Cpu;

/// <summary>
/// One GEMM problem laid out in padded arrays: A and B either row-major or transposed (column-major), each with
/// an offset and a leading dimension larger than needed, and C with an offset and padded rows, so wrong strides
/// or writes outside the m x n window are caught. Holds the exact result (double) and a rigorous error bound.
/// </summary>
internal sealed class GemmCase
{
    private const float Sentinel = 12345.5f;

    public int M, N, K, AOff, ARow, ACol, BOff, BRow, BCol, COff, Ldc;
    public bool Accumulate;
    public float[] A = [], B = [], C0 = [];
    public double[] Exact = [], Bound = [];

    /// <summary>Random entries in [-1, 1); C starts random when accumulating, else sentinel-filled garbage.</summary>
    public static GemmCase Create(int m, int n, int k, bool transA, bool transB, bool accumulate, int pad, int seed)
    {
        var rng = new Random(seed);
        var g = new GemmCase { M = m, N = n, K = k, Accumulate = accumulate };
        // A is m x k: row-major means (i,p) at i*ld + p; transposed means (i,p) at p*ld + i.
        g.AOff = pad;
        int ldA = (transA ? m : k) + pad;
        (g.ARow, g.ACol) = transA ? (1, ldA) : (ldA, 1);
        g.A = Fill(rng, g.AOff + ldA * (transA ? k : m) + pad);
        g.BOff = 2 * pad + 1;
        int ldB = (transB ? k : n) + pad;
        (g.BRow, g.BCol) = transB ? (1, ldB) : (ldB, 1);
        g.B = Fill(rng, g.BOff + ldB * (transB ? n : k) + pad);
        g.COff = pad + 3;
        g.Ldc = n + pad;
        g.C0 = new float[g.COff + g.Ldc * m + pad];
        for (int i = 0; i < g.C0.Length; i++) g.C0[i] = accumulate ? rng.NextSingle() * 2 - 1 : Sentinel;

        // Exact product in double, and the worst-case float error bound per element: any summation order with
        // (fused or not) multiply-adds is within gamma_{K+1} * (|c0| + sum_p |a_ip b_pj|), gamma_n = n u / (1 - n u),
        // u = 2^-24 (Higham, Accuracy and Stability, 3.1). We allow twice that: (K + 2) * 2^-23 * (...).
        g.Exact = new double[m * n];
        g.Bound = new double[m * n];
        const double eps = 1.0 / (1 << 23);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = accumulate ? g.C0[g.COff + i * g.Ldc + j] : 0, mag = Math.Abs(s);
                for (int p = 0; p < k; p++)
                {
                    double prod = (double)g.A[g.AOff + i * g.ARow + p * g.ACol] * g.B[g.BOff + p * g.BRow + j * g.BCol];
                    s += prod;
                    mag += Math.Abs(prod);
                }
                g.Exact[i * n + j] = s;
                g.Bound[i * n + j] = (k + 2) * eps * mag + 1e-30;
            }
        return g;
    }

    private static float[] Fill(Random rng, int length)
    {
        var a = new float[length];
        for (int i = 0; i < a.Length; i++) a[i] = rng.NextSingle() * 2 - 1;
        return a;
    }

    public float[] RunPacked(string kernel, bool parallel)
    {
        var c = (float[])C0.Clone();
        switch (kernel)
        {
            case "avx512": SgemmPacked.Run<SgemmKernelAvx512>(M, N, K, A, AOff, ARow, ACol, B, BOff, BRow, BCol, c, COff, Ldc, Accumulate, parallel); break;
            case "avx2": SgemmPacked.Run<SgemmKernelAvx2>(M, N, K, A, AOff, ARow, ACol, B, BOff, BRow, BCol, c, COff, Ldc, Accumulate, parallel); break;
            case "scalar": SgemmPacked.Run<SgemmKernelScalar>(M, N, K, A, AOff, ARow, ACol, B, BOff, BRow, BCol, c, COff, Ldc, Accumulate, parallel); break;
            case "auto": Gemm.Run(M, N, K, A, AOff, ARow, ACol, B, BOff, BRow, BCol, c, COff, Ldc, Accumulate, parallel); break;
            default: throw new ArgumentException(kernel);
        }
        return c;
    }

    public float[] RunReference(bool parallel)
    {
        var c = (float[])C0.Clone();
        Gemm.RunReference(M, N, K, A, AOff, ARow, ACol, B, BOff, BRow, BCol, c, COff, Ldc, Accumulate, parallel);
        return c;
    }

    /// <summary>Null when every element is within its bound and nothing outside the window changed; else what failed.</summary>
    public string? Check(float[] c)
    {
        for (int idx = 0; idx < c.Length; idx++)
        {
            int rel = idx - COff;
            int i = rel >= 0 ? rel / Ldc : -1, j = rel >= 0 ? rel % Ldc : -1;
            if (i >= 0 && i < M && j < N)
            {
                double err = Math.Abs(c[idx] - Exact[i * N + j]);
                if (!(err <= Bound[i * N + j]))
                    return $"{this}: C[{i},{j}] = {c[idx]}, exact {Exact[i * N + j]}, error {err:E3} > bound {Bound[i * N + j]:E3}";
            }
            else if (BitConverter.SingleToInt32Bits(c[idx]) != BitConverter.SingleToInt32Bits(C0[idx]))
                return $"{this}: wrote outside C at array index {idx}";
        }
        return null;
    }

    public override string ToString() =>
        $"m={M} n={N} k={K} A(off {AOff}, strides {ARow},{ACol}) B(off {BOff}, strides {BRow},{BCol}) C(off {COff}, ldc {Ldc}) acc={Accumulate}";
}
