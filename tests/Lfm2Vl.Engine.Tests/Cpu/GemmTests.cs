using FsCheck;
using FsCheck.Xunit;
using Lfm2Vl.Engine.Backends.Cpu;
using Xunit;

namespace Lfm2Vl.Engine.Tests.Cpu;

public class GemmTests
{
    /// <summary>Micro-kernels this CPU can run (the scalar one always).</summary>
    public static TheoryData<string> Kernels()
    {
        var data = new TheoryData<string> { "scalar" };
        if (SgemmKernelAvx2.IsSupported) data.Add("avx2");
        if (SgemmKernelAvx512.IsSupported) data.Add("avx512");
        return data;
    }

    // Degenerate sizes, primes, values around every MR (4, 6, 14) and NR (4, 16, 32), KC (512), NC (2048) and the A block
    // (434 rows at k = 300), narrow C (exercises the C^T = B^T A^T swap), a wide C that the swap would pad less
    // but is no longer swapped (32x4096x27, a first conv at batch 1), single-row/column C (matrix-vector paths)
    // and sizes big enough to run in parallel.
    private static readonly (int M, int N, int K)[] Shapes =
    [
        (1, 1, 1), (1, 7, 3), (5, 1, 9), (2, 3, 4), (7, 13, 17), (13, 31, 37), (14, 32, 8), (15, 33, 9),
        (28, 64, 5), (29, 65, 11), (6, 16, 3), (97, 101, 1), (3, 50, 511), (17, 19, 512), (9, 40, 513),
        (31, 29, 1025), (450, 20, 300), (300, 1, 50), (200, 5, 33), (1, 300, 40), (129, 130, 100), (64, 600, 40),
        (1, 2000, 600), (2000, 1, 600), (3, 2100, 5), (20, 4200, 7), (32, 4096, 27),
    ];

    [Theory]
    [MemberData(nameof(Kernels))]
    public void PackedMatchesExactOnAllShapesAndLayouts(string kernel)
    {
        int seed = 0;
        foreach (var (m, n, k) in Shapes)
            for (int layout = 0; layout < 4; layout++)
            {
                bool transA = (layout & 1) != 0, transB = (layout & 2) != 0;
                bool accumulate = (seed & 1) == 0, parallel = (seed & 2) == 0;
                var g = GemmCase.Create(m, n, k, transA, transB, accumulate, pad: seed % 3 * 2, seed: seed++);
                Assert.Null(g.Check(g.RunPacked(kernel, parallel)));
            }
    }

    [Fact]
    public void ReferenceMatchesExactOnAllShapes()
    {
        int seed = 100;
        foreach (var (m, n, k) in Shapes)
        {
            var g = GemmCase.Create(m, n, k, transA: seed % 2 == 0, transB: seed % 3 == 0, accumulate: seed % 4 < 2, pad: 1, seed: seed++);
            Assert.Null(g.Check(g.RunReference(parallel: true)));
        }
    }

    [Fact]
    public void PackedAgreesWithReferenceWithinTwiceTheBound()
    {
        var g = GemmCase.Create(45, 70, 300, transA: false, transB: true, accumulate: true, pad: 2, seed: 7);
        var fast = g.RunPacked("auto", parallel: true);
        var reference = g.RunReference(parallel: true);
        for (int i = 0; i < g.M; i++)
            for (int j = 0; j < g.N; j++)
            {
                int idx = g.COff + i * g.Ldc + j;
                Assert.True(Math.Abs(fast[idx] - reference[idx]) <= 2 * g.Bound[i * g.N + j], $"C[{i},{j}]");
            }
    }

    [Property(MaxTest = 60)]
    public bool RandomShapesAndLayoutsMatchExact(PositiveInt m, PositiveInt n, PositiveInt k, bool transA, bool transB,
        bool accumulate, bool parallel, NonNegativeInt pad, int seed)
    {
        // FsCheck's sizes grow to ~100; k is stretched so some cases span two or more KC blocks.
        var g = GemmCase.Create(1 + m.Get % 70, 1 + n.Get % 90, 1 + k.Get * 7 % 1100, transA, transB, accumulate, pad.Get % 5, seed);
        string? failure = g.Check(g.RunPacked("auto", parallel));
        return failure == null;
    }

    [Fact]
    public void ZeroDepthClearsOrKeepsC()
    {
        var c = new float[] { 1, 2, 3, 4, 5, 6 };
        Gemm.Run(2, 2, 0, Array.Empty<float>(), 0, 0, 1, Array.Empty<float>(), 0, 2, 1, c, 1, 3, accumulate: true);
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, c);
        Gemm.Run(2, 2, 0, Array.Empty<float>(), 0, 0, 1, Array.Empty<float>(), 0, 2, 1, c, 1, 3, accumulate: false);
        Assert.Equal(new float[] { 1, 0, 0, 4, 0, 0 }, c);
    }

    [Fact]
    public void ZeroStrideOperandBroadcasts()
    {
        // B row stride 0: every k step reads the same row of B, so C[i,j] = rowsum(A_i) * b_j.
        var a = new float[] { 1, 2, 3, 4, 5, 6 };
        var b = new float[] { 10, 20 };
        var c = new float[4];
        Gemm.Run(2, 2, 3, a, 0, 3, 1, b, 0, 0, 1, c, 0, 2, accumulate: false);
        Assert.Equal(new float[] { 60, 120, 150, 300 }, c);
    }

    [Fact]
    public void OperandOutsideItsArrayIsRejected()
    {
        var a = new float[6]; var b = new float[6]; var c = new float[4];
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Run(2, 2, 3, a, 1, 3, 1, b, 0, 2, 1, c, 0, 2, false));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Run(2, 2, 3, a, 0, 3, 1, b, 0, 2, 1, c, 1, 2, false));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Run(2, 2, 3, a, 0, 3, 1, b, 0, 3, 1, c, 0, 2, false));
    }

    [Fact]
    public void SerialCallsAllocateNothingOnceWarm()
    {
        var g = GemmCase.Create(100, 90, 300, transA: true, transB: false, accumulate: false, pad: 1, seed: 3);
        var c = (float[])g.C0.Clone();
        void Call() => SgemmPacked.Run(g.M, g.N, g.K, g.A, g.AOff, g.ARow, g.ACol, g.B, g.BOff, g.BRow, g.BCol, c, g.COff, g.Ldc, false, parallel: false);
        Call();
        long before = GC.GetAllocatedBytesForCurrentThread();
        Call();
        Call();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Null(g.Check(c));
    }

    [Fact]
    public void DoubleStaysOnTheReferencePathAndIsExactForSmallIntegers()
    {
        var a = new double[] { 1, 2, 3, 4, 5, 6 };
        var b = new double[] { 7, 8, 9, 10, 11, 12 };
        var c = new double[4];
        Gemm.Run(2, 2, 3, a, 0, 3, 1, b, 0, 2, 1, c, 0, 2, accumulate: false);
        Assert.Equal(new double[] { 58, 64, 139, 154 }, c);
    }
}
