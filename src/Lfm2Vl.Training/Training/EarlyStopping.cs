namespace Lfm2Vl.Training;

/// <summary>Patience-based early stopping on a monitored metric (the spec's rule: stop after `patience` epochs without improvement).</summary>
public static class EarlyStopping
{
    /// <summary>Records an epoch's value; returns whether it improved on the best (strictly). NaN best means "no value yet".</summary>
    public static bool Update(bool higherIsBetter, double value, ref double best, ref int badEpochs)
    {
        bool improved = !double.IsNaN(value) && (double.IsNaN(best) || (higherIsBetter ? value > best : value < best));
        if (improved) { best = value; badEpochs = 0; }
        else badEpochs++;
        return improved;
    }

    /// <summary>Patience 0 disables early stopping.</summary>
    public static bool ShouldStop(int patience, int badEpochs) => patience > 0 && badEpochs >= patience;
}
