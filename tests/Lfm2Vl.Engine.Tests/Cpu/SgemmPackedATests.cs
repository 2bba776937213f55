using Lfm2Vl.Engine.Backends.Cpu;
using Xunit;

namespace Lfm2Vl.Engine.Tests.Cpu;

/// <summary>
/// A left operand packed once (SgemmPackedA, used for convolution weights) gives the exact product within the
/// rigorous float bound of GemmCase, for ragged M (short last panel), K over several KC blocks, narrow and
/// strided B, and both overwrite and accumulate; and several products reuse one packing.
/// </summary>
public class SgemmPackedATests
{
    [Theory]
    [InlineData(64, 224, 576)]
    [InlineData(1, 5, 3)]
    [InlineData(13, 33, 17)]
    [InlineData(22, 40, 1100)]   // several KC blocks, last panel of 8 rows
    [InlineData(30, 7, 513)]
    public void MatchesTheExactProduct(int m, int n, int k)
    {
        int seed = m * 1000 + n;
        foreach (bool transA in new[] { false, true })
            foreach (bool transB in new[] { false, true })
                foreach (bool accumulate in new[] { false, true })
                {
                    var g = GemmCase.Create(m, n, k, transA, transB, accumulate, pad: 3, seed: seed++);
                    using var packed = new SgemmPackedA(g.M, g.K, g.A, g.AOff, g.ARow, g.ACol);
                    for (int rep = 0; rep < 2; rep++) // the packing is reusable
                    {
                        var c = (float[])g.C0.Clone();
                        packed.Multiply(g.N, g.B, g.BOff, g.BRow, g.BCol, c, g.COff, g.Ldc, g.Accumulate);
                        Assert.Null(g.Check(c));
                    }
                }
    }

    [Fact]
    public void RejectsOperandsOutsideTheirArrays()
    {
        var a = new float[12];
        Assert.Throws<ArgumentOutOfRangeException>(() => new SgemmPackedA(4, 4, a, 0, 4, 1));
        using var packed = new SgemmPackedA(3, 4, a, 0, 4, 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => packed.Multiply(5, new float[19], 0, 5, 1, new float[15], 0, 5, false));
    }
}
