using Lfm2Vl.Benchmarks.Reporting;

namespace Lfm2Vl.Benchmarks.Kernels;

/// <summary>C[M,N] = A[M,K] B[K,N]; <see cref="Name"/> says where the shape comes from. Sorted by work in reports.</summary>
public sealed record GemmShape(int M, int N, int K, string Name) : IFlopCount, IComparable<GemmShape>, IComparable
{
    public double Flops => 2.0 * M * N * K;

    public int CompareTo(GemmShape? other) =>
        other is null ? 1 : Flops != other.Flops ? Flops.CompareTo(other.Flops) : string.CompareOrdinal(ToString(), other.ToString());

    public int CompareTo(object? obj) => CompareTo(obj as GemmShape);

    public override string ToString() => $"{Name} {M}x{N}x{K}";
}
