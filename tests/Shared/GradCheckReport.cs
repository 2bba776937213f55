using System.Globalization;
using System.Text;

namespace Lfm2Vl.Tests.Shared;

/// <summary>One compared gradient element: input number, its multi-index, both values and the allowed error.</summary>
public sealed record GradComparison(int Input, int[] Index, double Analytic, double Numeric, double Tolerance)
{
    public double Error => Math.Abs(Analytic - Numeric);

    // Written so that NaN in either value fails.
    public bool Passed => Error <= Tolerance;

    public static string FormatIndex(int[] index) => "[" + string.Join(", ", index) + "]";

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"input {Input} element {FormatIndex(Index)}: analytic {Analytic:R}, numeric {Numeric:R}, |diff| {Error:G3} > tol {Tolerance:G3}");
}

/// <summary>The outcome of <see cref="GradCheck.Run"/>: every comparison, and a readable account of the failures.</summary>
public sealed class GradCheckReport
{
    private readonly List<GradComparison> _all = new();

    public GradCheckReport(int[][] inputShapes, int[][] inputStrides, int[] outputShape)
    {
        InputShapes = inputShapes;
        InputStrides = inputStrides;
        OutputShape = outputShape;
    }

    public int[][] InputShapes { get; }
    public int[][] InputStrides { get; }
    public int[] OutputShape { get; }
    public IReadOnlyList<GradComparison> Comparisons => _all;
    public IEnumerable<GradComparison> Failures => _all.Where(c => !c.Passed);
    public bool Passed => _all.All(c => c.Passed);
    public double MaxError => _all.Count == 0 ? 0 : _all.Max(c => c.Error);

    internal void Add(GradComparison c) => _all.Add(c);

    public string Describe(string? label = null, int maxReported = 8)
    {
        var failures = Failures.ToList();
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"Gradient check {(label is null ? "" : $"of {label} ")}");
        sb.Append(failures.Count == 0 ? "passed" : $"failed: {failures.Count} of {_all.Count} gradient elements differ from finite differences");
        sb.AppendLine(CultureInfo.InvariantCulture, $" (output shape {GradComparison.FormatIndex(OutputShape)}).");
        for (int i = 0; i < InputShapes.Length; i++)
            sb.AppendLine(CultureInfo.InvariantCulture, $"  input {i}: shape {GradComparison.FormatIndex(InputShapes[i])}, strides {GradComparison.FormatIndex(InputStrides[i])}");
        foreach (var f in failures.Take(maxReported)) sb.AppendLine("  " + f);
        if (failures.Count > maxReported) sb.AppendLine(CultureInfo.InvariantCulture, $"  ... and {failures.Count - maxReported} more");
        return sb.ToString();
    }
}

/// <summary>Thrown by <see cref="GradCheck.Assert(System.Func{Lfm2Vl.Engine.Tensor[], Lfm2Vl.Engine.Tensor}, Lfm2Vl.Engine.Tensor[])"/> when gradients disagree.</summary>
public sealed class GradCheckException(string message) : Exception(message);
