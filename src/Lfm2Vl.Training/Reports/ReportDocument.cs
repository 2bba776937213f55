namespace Lfm2Vl.Training.Reports;

/// <summary>A piece of a report; renderers turn the same blocks into Markdown and HTML.</summary>
public abstract record ReportBlock;

public sealed record ReportHeading(int Level, string Text) : ReportBlock;

public sealed record ReportParagraph(string Text) : ReportBlock;

/// <summary>A table; <see cref="NumericColumns"/> are right-aligned.</summary>
public sealed record ReportTable(IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows, IReadOnlySet<int>? NumericColumns = null) : ReportBlock;

/// <summary>An image by its path relative to the report file.</summary>
public sealed record ReportImage(string RelativePath, string Caption) : ReportBlock;

/// <summary>A titled list of blocks, rendered by <see cref="MarkdownRenderer"/> and <see cref="HtmlRenderer"/>.</summary>
public sealed class ReportDocument(string title)
{
    private readonly List<ReportBlock> _blocks = new();

    public string Title { get; } = title;
    public IReadOnlyList<ReportBlock> Blocks => _blocks;

    public ReportDocument Heading(string text, int level = 2) { _blocks.Add(new ReportHeading(level, text)); return this; }
    public ReportDocument Paragraph(string text) { _blocks.Add(new ReportParagraph(text)); return this; }
    public ReportDocument Image(string relativePath, string caption) { _blocks.Add(new ReportImage(relativePath, caption)); return this; }

    public ReportDocument Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, params int[] numericColumns)
    {
        var list = rows.ToList();
        foreach (var r in list)
            if (r.Count != header.Count) throw new ArgumentException($"A row has {r.Count} cells for {header.Count} columns.", nameof(rows));
        _blocks.Add(new ReportTable(header, list, numericColumns.ToHashSet()));
        return this;
    }
}
