using System.Text;
using Lfm2Vl.Training.Evaluation;

namespace Lfm2Vl.Training.Reports;

/// <summary>
/// The confusion matrix as CSV: a header of predicted class names, then one row per true class (its name,
/// then the counts). RFC 4180 quoting for names with commas, quotes or line breaks.
/// </summary>
public static class ConfusionMatrixCsv
{
    public static string Format(ConfusionMatrix matrix, IReadOnlyList<string> classNames)
    {
        var sb = new StringBuilder();
        sb.Append(Quote("true \\ predicted"));
        for (int p = 0; p < matrix.NumClasses; p++) sb.Append(',').Append(Quote(ConfusionMatrix.NameOf(classNames, p)));
        sb.Append('\n');
        for (int t = 0; t < matrix.NumClasses; t++)
        {
            sb.Append(Quote(ConfusionMatrix.NameOf(classNames, t)));
            for (int p = 0; p < matrix.NumClasses; p++) sb.Append(',').Append(matrix[t, p]);
            sb.Append('\n');
        }
        return sb.ToString();
    }

    public static void Write(string path, ConfusionMatrix matrix, IReadOnlyList<string> classNames)
    {
        if (Path.GetDirectoryName(path) is { Length: > 0 } dir) Directory.CreateDirectory(dir);
        File.WriteAllText(path, Format(matrix, classNames));
    }

    internal static string Quote(string s) =>
        s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
