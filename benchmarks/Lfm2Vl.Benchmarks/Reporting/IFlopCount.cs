namespace Lfm2Vl.Benchmarks.Reporting;

/// <summary>A benchmark parameter that knows how many floating-point operations one invocation performs.</summary>
public interface IFlopCount
{
    double Flops { get; }
}
