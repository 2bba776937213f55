using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Lfm2Vl.Benchmarks.Reporting;

/// <summary>
/// Images per second from the mean time and the image count of the benchmark's <see cref="IImageCount"/>
/// parameter (the batch size), and milliseconds per image for latency-bound batch-1 cases.
/// </summary>
public sealed class ImagesPerSecondColumn : IColumn
{
    public static readonly ImagesPerSecondColumn Instance = new();

    public string Id => "ImagesPerSecond";
    public string ColumnName => "img/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Images per second: batch size / mean time of one step";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
        Measure(summary, benchmarkCase) is double v ? v.ToString("F1", System.Globalization.CultureInfo.InvariantCulture) : "-";

    /// <summary>Images per second of one case, or null when it has no image count or no result.</summary>
    public static double? Measure(Summary summary, BenchmarkCase benchmarkCase)
    {
        var images = benchmarkCase.Parameters.Items.Select(p => p.Value).OfType<IImageCount>().FirstOrDefault();
        double? meanNs = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (images == null || meanNs is not double ns || ns <= 0) return null;
        return images.Images / (ns * 1e-9);
    }

    public override string ToString() => ColumnName;
}
