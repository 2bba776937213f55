namespace Lfm2Vl.Benchmarks.Reporting;

/// <summary>A benchmark parameter that knows how many images one invocation processes.</summary>
public interface IImageCount
{
    int Images { get; }
}
