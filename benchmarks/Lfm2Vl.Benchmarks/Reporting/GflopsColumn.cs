using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Lfm2Vl.Benchmarks.Reporting;

/// <summary>
/// Throughput columns from the mean time and the flop count of the benchmark's <see cref="IFlopCount"/> parameter:
/// GFLOP/s, or that as a percentage of <see cref="MachinePeak"/>.
/// </summary>
public sealed class GflopsColumn(bool percentOfPeak) : IColumn
{
    public static readonly GflopsColumn Gflops = new(false);
    public static readonly GflopsColumn PercentOfPeak = new(true);

    public string Id => percentOfPeak ? "PercentOfPeak" : "GFLOPs";
    public string ColumnName => percentOfPeak ? $"% of {MachinePeak.Gflops:F0}" : "GFLOP/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => percentOfPeak ? 1 : 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => percentOfPeak
        ? "Throughput as a percentage of the machine's FP32 peak (LFM2VL_PEAK_GFLOPS overrides it)"
        : "Billions of floating-point operations per second (mean time)";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? gflops = Measure(summary, benchmarkCase);
        if (gflops is not double g) return "-";
        return percentOfPeak ? $"{100 * g / MachinePeak.Gflops:F1}%" : g.ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>GFLOP/s of one case, or null when it has no flop count or no result.</summary>
    public static double? Measure(Summary summary, BenchmarkCase benchmarkCase)
    {
        var flops = benchmarkCase.Parameters.Items.Select(p => p.Value).OfType<IFlopCount>().FirstOrDefault();
        double? meanNs = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (flops == null || meanNs is not double ns || ns <= 0) return null;
        return flops.Flops / ns; // flops per nanosecond = GFLOP/s
    }

    public override string ToString() => ColumnName;
}
