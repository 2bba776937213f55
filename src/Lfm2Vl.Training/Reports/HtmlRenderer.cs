using System.Net;
using System.Text;

namespace Lfm2Vl.Training.Reports;

/// <summary>Renders a report as one self-contained HTML page (inline CSS; images linked relatively).</summary>
public static class HtmlRenderer
{
    private const string Style = """
        body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
        table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
        th, td { border: 1px solid #ccc; padding: 4px 10px; }
        th { background: #f0f0f0; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        figure { margin: 1em 0; }
        img { max-width: 100%; border: 1px solid #ddd; }
        """;

    public static string Render(ReportDocument doc)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>").Append(E(doc.Title)).Append("</title>\n");
        sb.Append("<style>\n").Append(Style).Append("\n</style>\n</head>\n<body>\n");
        sb.Append("<h1>").Append(E(doc.Title)).Append("</h1>\n");
        foreach (var block in doc.Blocks)
        {
            switch (block)
            {
                case ReportHeading h:
                    int level = Math.Clamp(h.Level, 2, 6);
                    sb.Append($"<h{level}>").Append(E(h.Text)).Append($"</h{level}>\n");
                    break;
                case ReportParagraph p:
                    sb.Append("<p>").Append(E(p.Text)).Append("</p>\n");
                    break;
                case ReportImage img:
                    sb.Append("<figure><img src=\"").Append(E(MarkdownRenderer.LinkPath(img.RelativePath))).Append("\" alt=\"").Append(E(img.Caption))
                      .Append("\"><figcaption>").Append(E(img.Caption)).Append("</figcaption></figure>\n");
                    break;
                case ReportTable t:
                    Table(sb, t);
                    break;
            }
        }
        sb.Append("</body>\n</html>\n");
        return sb.ToString();
    }

    private static void Table(StringBuilder sb, ReportTable t)
    {
        sb.Append("<table>\n<thead><tr>");
        foreach (var h in t.Header) sb.Append("<th>").Append(E(h)).Append("</th>");
        sb.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in t.Rows)
        {
            sb.Append("<tr>");
            for (int c = 0; c < row.Count; c++)
                sb.Append(t.NumericColumns?.Contains(c) == true ? "<td class=\"num\">" : "<td>").Append(E(row[c])).Append("</td>");
            sb.Append("</tr>\n");
        }
        sb.Append("</tbody>\n</table>\n");
    }

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
