using System.Text;

namespace Lfm2Vl.Training.Reports;

/// <summary>Renders a report as GitHub-flavoured Markdown (pipe tables, relative image links).</summary>
public static class MarkdownRenderer
{
    public static string Render(ReportDocument doc)
    {
        var sb = new StringBuilder();
        sb.Append("# ").Append(Inline(doc.Title)).Append("\n\n");
        foreach (var block in doc.Blocks)
        {
            switch (block)
            {
                case ReportHeading h:
                    sb.Append(new string('#', Math.Clamp(h.Level, 2, 6))).Append(' ').Append(Inline(h.Text)).Append("\n\n");
                    break;
                case ReportParagraph p:
                    sb.Append(Inline(p.Text)).Append("\n\n");
                    break;
                case ReportImage img:
                    sb.Append("![").Append(Inline(img.Caption)).Append("](").Append(LinkPath(img.RelativePath)).Append(")\n\n");
                    break;
                case ReportTable t:
                    Table(sb, t);
                    break;
            }
        }
        return sb.ToString();
    }

    private static void Table(StringBuilder sb, ReportTable t)
    {
        sb.Append('|');
        foreach (var h in t.Header) sb.Append(' ').Append(Cell(h)).Append(" |");
        sb.Append("\n|");
        for (int c = 0; c < t.Header.Count; c++) sb.Append(t.NumericColumns?.Contains(c) == true ? " ---: |" : " --- |");
        sb.Append('\n');
        foreach (var row in t.Rows)
        {
            sb.Append('|');
            foreach (var cell in row) sb.Append(' ').Append(Cell(cell)).Append(" |");
            sb.Append('\n');
        }
        sb.Append('\n');
    }

    /// <summary>
    /// Escapes characters Markdown would take as formatting or table syntax; an underscore inside a word
    /// (lfm2_vl) is left alone, as GitHub's Markdown does not read it as emphasis.
    /// </summary>
    private static string Inline(string s)
    {
        var sb = new StringBuilder(s.Length);
        for (int i = 0; i < s.Length; i++)
        {
            char ch = s[i];
            bool intraword = ch == '_' && i > 0 && i < s.Length - 1 && char.IsLetterOrDigit(s[i - 1]) && char.IsLetterOrDigit(s[i + 1]);
            if (ch is '\\' or '`' or '*' or '[' or ']' or '<' or '>' or '|' || (ch == '_' && !intraword)) sb.Append('\\');
            sb.Append(ch is '\n' or '\r' ? ' ' : ch);
        }
        return sb.ToString();
    }

    private static string Cell(string s) => Inline(s);

    /// <summary>Relative link with each segment percent-encoded (spaces and parentheses break Markdown links).</summary>
    internal static string LinkPath(string relative) =>
        string.Join('/', relative.Replace('\\', '/').Split('/').Select(Uri.EscapeDataString));
}
