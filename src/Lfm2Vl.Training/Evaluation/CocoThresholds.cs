namespace Lfm2Vl.Training.Evaluation;

/// <summary>
/// COCO's threshold grids, computed the way pycocotools does (numpy.linspace: start + i * step, last value
/// exactly the stop), so a recall that lands on a threshold compares the same way.
/// </summary>
public static class CocoThresholds
{
    /// <summary>0.5, 0.55, ..., 0.95.</summary>
    public static IReadOnlyList<double> Iou { get; } = Linspace(0.5, 0.95, 10);

    /// <summary>0, 0.01, ..., 1.</summary>
    public static IReadOnlyList<double> Recall { get; } = Linspace(0, 1, 101);

    public static double[] Linspace(double start, double stop, int count)
    {
        var v = new double[count];
        double step = (stop - start) / (count - 1);
        for (int i = 0; i < count; i++) v[i] = start + i * step;
        v[^1] = stop;
        return v;
    }
}
