using Lfm2Vl.Benchmarks.Reporting;

namespace Lfm2Vl.Benchmarks.Kernels;

/// <summary>C[M,N] = A[M,K] B[K,N]; <see cref="Name"/> says where the shape comes from.</summary>
public sealed record GemmShape(int M, int N, int K, string Name) : IFlopCount
{
    public double Flops => 2.0 * M * N * K;
    public override string ToString() => $"{Name} {M}x{N}x{K}";
}
