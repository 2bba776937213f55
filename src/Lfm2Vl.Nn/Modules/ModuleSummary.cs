using System.Globalization;
using System.Text;
using Lfm2Vl.Engine;

namespace Lfm2Vl.Nn.Modules;

/// <summary>One module in a summary: its own parameters (not its children's).</summary>
public sealed record ModuleSummaryRow(string Name, string Type, int Depth, string ParameterShapes, long Parameters, long Trainable, long BufferElements);

/// <summary>
/// A table of a model's modules with their parameter shapes and counts. It depends only on the model's
/// structure (no forward pass), so it can be printed before any data exist.
/// </summary>
public sealed class ModuleSummary
{
    public ModuleSummary(Module root)
    {
        var rows = new List<ModuleSummaryRow>();
        var counted = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        foreach (var (name, m) in root.NamedModules())
        {
            var own = m.OwnParameters().ToList();
            var shapes = string.Join(", ", own.Select(x => $"{x.Name} {ShapeUtil.Format(x.Parameter.Shape)}"));
            // A shared parameter counts once, at its first owner.
            var fresh = own.Select(x => x.Parameter).Where(counted.Add).ToList();
            rows.Add(new ModuleSummaryRow(
                name.Length == 0 ? "(root)" : name,
                m.TypeName,
                name.Length == 0 ? 0 : name.Count(c => c == '.') + 1,
                shapes,
                fresh.Sum(p => (long)p.Numel),
                fresh.Where(p => p.RequiresGrad).Sum(p => (long)p.Numel),
                m.OwnBuffers().Sum(b => (long)b.Buffer.Numel)));
        }
        Rows = rows;
        TotalParameters = rows.Sum(r => r.Parameters);
        TrainableParameters = rows.Sum(r => r.Trainable);
    }

    public IReadOnlyList<ModuleSummaryRow> Rows { get; }
    public long TotalParameters { get; }
    public long TrainableParameters { get; }
    public long FrozenParameters => TotalParameters - TrainableParameters;

    /// <summary>The table as text: one line per module (indented by depth) and a totals line.</summary>
    public override string ToString()
    {
        string[] head = ["Module", "Type", "Parameters", "Trainable", "Shapes"];
        var cells = Rows.Select(r => new[]
        {
            new string(' ', 2 * r.Depth) + r.Name, r.Type, Count(r.Parameters), Count(r.Trainable), r.ParameterShapes,
        }).ToList();
        var width = Enumerable.Range(0, head.Length).Select(c => Math.Max(head[c].Length, cells.Select(x => x[c].Length).DefaultIfEmpty(0).Max())).ToArray();
        var sb = new StringBuilder();
        void Line(string[] v) => sb.AppendLine(string.Join("  ", v.Select((s, i) => i is 2 or 3 ? s.PadLeft(width[i]) : s.PadRight(width[i]))).TrimEnd());
        Line(head);
        sb.AppendLine(new string('-', width.Sum() + 2 * (width.Length - 1)));
        foreach (var c in cells) Line(c);
        sb.AppendLine($"Total parameters: {Count(TotalParameters)}  trainable: {Count(TrainableParameters)}  frozen: {Count(FrozenParameters)}");
        return sb.ToString();
    }

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
