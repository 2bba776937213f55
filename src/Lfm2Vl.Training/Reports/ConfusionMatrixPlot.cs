using Lfm2Vl.Training.Evaluation;
using ScottPlot;

namespace Lfm2Vl.Training.Reports;

/// <summary>
/// The confusion matrix as a PNG heatmap (ScottPlot): true classes top to bottom, predicted classes left to
/// right, colour = fraction of the true class's samples (so rare classes show as clearly as common ones), and
/// the counts written in the cells when there are few enough classes to read them.
/// </summary>
public static class ConfusionMatrixPlot
{
    /// <summary>Above this many classes the cells are too small for their counts.</summary>
    public const int MaxAnnotatedClasses = 25;

    public static void SavePng(string path, ConfusionMatrix matrix, IReadOnlyList<string> classNames, string title = "Confusion matrix (colour: share of the true class)", int? sizePixels = null)
    {
        int n = matrix.NumClasses;
        var fractions = new double[n, n];
        for (int t = 0; t < n; t++)
        {
            long support = matrix.RowSum(t);
            for (int p = 0; p < n; p++) fractions[t, p] = support == 0 ? 0 : (double)matrix[t, p] / support;
        }

        using var plot = new Plot();
        var heatmap = plot.Add.Heatmap(fractions);
        heatmap.Colormap = new ScottPlot.Colormaps.Reversed(new ScottPlot.Colormaps.Blues()); // light = few, dark = many
        heatmap.ManualRange = new ScottPlot.Range(0, 1);
        // Row 0 is drawn at the top; cell (t, p) is centred on (p, n - 1 - t).
        heatmap.Rectangle = new CoordinateRect(-0.5, n - 0.5, -0.5, n - 0.5);
        plot.Add.ColorBar(heatmap);

        if (n <= MaxAnnotatedClasses)
        {
            for (int t = 0; t < n; t++)
                for (int p = 0; p < n; p++)
                {
                    var text = plot.Add.Text(matrix[t, p].ToString(), p, n - 1 - t);
                    text.LabelAlignment = Alignment.MiddleCenter;
                    text.LabelFontSize = n <= 10 ? 14 : 9;
                    text.LabelFontColor = fractions[t, p] > 0.5 ? Colors.White : Colors.Black;
                }
        }

        var positions = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        var names = Enumerable.Range(0, n).Select(i => ConfusionMatrix.NameOf(classNames, i)).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, names);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions.Select(y => n - 1 - y).ToArray(), names);
        int longest = names.Max(s => s.Length);
        if (longest > 4)
        {
            // Slanted labels; the axis panel does not measure rotated text, so reserve the room.
            plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
            plot.Axes.Bottom.MinimumSize = 40 + 6 * Math.Min(longest, 30);
        }
        plot.Axes.SetLimits(-0.5, n - 0.5, -0.5, n - 0.5);
        plot.Grid.IsVisible = false;
        plot.Title(title);
        plot.XLabel("Predicted class");
        plot.YLabel("True class");

        int size = sizePixels ?? Math.Clamp(240 + 40 * n, 480, 1600);
        EnsureFolder(path);
        plot.SavePng(path, size + 120, size);
    }

    internal static void EnsureFolder(string path)
    {
        if (Path.GetDirectoryName(path) is { Length: > 0 } dir) Directory.CreateDirectory(dir);
    }
}
