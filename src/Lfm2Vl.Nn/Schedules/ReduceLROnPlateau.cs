using Lfm2Vl.Nn.Optim;

namespace Lfm2Vl.Nn.Schedules;

public enum PlateauMode
{
    /// <summary>The metric should go down (a loss).</summary>
    Min,
    /// <summary>The metric should go up (an accuracy).</summary>
    Max,
}

public enum ThresholdMode
{
    /// <summary>Better means beyond best * (1 -/+ threshold).</summary>
    Rel,
    /// <summary>Better means beyond best -/+ threshold.</summary>
    Abs,
}

/// <summary>
/// Cuts the lr by <see cref="Factor"/> when a metric has not improved for more than <see cref="Patience"/>
/// steps (torch ReduceLROnPlateau), then waits <see cref="Cooldown"/> steps before counting again. Lrs
/// never go below the per-group minimum, and changes smaller than eps are skipped.
/// </summary>
public sealed class ReduceLROnPlateau : IStatefulSchedule
{
    private readonly double[] _minLrs;

    public ReduceLROnPlateau(Optimizer optimizer, PlateauMode mode = PlateauMode.Min, double factor = 0.1, int patience = 10,
        double threshold = 1e-4, ThresholdMode thresholdMode = ThresholdMode.Rel, int cooldown = 0, double minLr = 0, double eps = 1e-8)
        : this(optimizer, Enumerable.Repeat(minLr, optimizer.ParamGroups.Count).ToArray(), mode, factor, patience, threshold, thresholdMode, cooldown, eps) { }

    public ReduceLROnPlateau(Optimizer optimizer, IReadOnlyList<double> minLrs, PlateauMode mode = PlateauMode.Min, double factor = 0.1, int patience = 10,
        double threshold = 1e-4, ThresholdMode thresholdMode = ThresholdMode.Rel, int cooldown = 0, double eps = 1e-8)
    {
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        if (!(factor < 1 && factor >= 0)) throw new ArgumentOutOfRangeException(nameof(factor), $"factor must be in [0, 1), got {factor}.");
        if (patience < 0 || cooldown < 0) throw new ArgumentOutOfRangeException(nameof(patience), "patience and cooldown must be >= 0.");
        if (minLrs.Count != optimizer.ParamGroups.Count)
            throw new ArgumentException($"Got {minLrs.Count} minimum lrs for {optimizer.ParamGroups.Count} groups.", nameof(minLrs));
        _minLrs = minLrs.ToArray();
        Mode = mode;
        Factor = factor;
        Patience = patience;
        Threshold = threshold;
        ThresholdMode = thresholdMode;
        Cooldown = cooldown;
        Eps = eps;
        Best = mode == PlateauMode.Min ? double.PositiveInfinity : double.NegativeInfinity;
    }

    public Optimizer Optimizer { get; }
    public PlateauMode Mode { get; }
    public double Factor { get; }
    public int Patience { get; }
    public double Threshold { get; }
    public ThresholdMode ThresholdMode { get; }
    public int Cooldown { get; }
    public double Eps { get; }

    public double Best { get; private set; }
    public int NumBadEpochs { get; private set; }
    public int CooldownCounter { get; private set; }
    public int Epoch { get; private set; }
    public bool InCooldown => CooldownCounter > 0;
    public IReadOnlyList<double> LastLr => Optimizer.ParamGroups.Select(g => g.Lr).ToArray();

    /// <summary>Records this step's metric and cuts the lr if it has stalled.</summary>
    public void Step(double metric)
    {
        Epoch++;
        if (IsBetter(metric))
        {
            Best = metric;
            NumBadEpochs = 0;
        }
        else NumBadEpochs++;

        if (InCooldown)
        {
            CooldownCounter--;
            NumBadEpochs = 0; // bad steps during the cooldown do not count
        }
        if (NumBadEpochs > Patience)
        {
            ReduceLr();
            CooldownCounter = Cooldown;
            NumBadEpochs = 0;
        }
    }

    private bool IsBetter(double a) => (Mode, ThresholdMode) switch
    {
        (PlateauMode.Min, ThresholdMode.Rel) => a < Best * (1 - Threshold),
        (PlateauMode.Min, ThresholdMode.Abs) => a < Best - Threshold,
        (PlateauMode.Max, ThresholdMode.Rel) => a > Best * (Threshold + 1),
        _ => a > Best + Threshold,
    };

    private void ReduceLr()
    {
        for (int i = 0; i < Optimizer.ParamGroups.Count; i++)
        {
            var g = Optimizer.ParamGroups[i];
            double next = Math.Max(g.Lr * Factor, _minLrs[i]);
            if (g.Lr - next > Eps) g.Lr = next;
        }
    }

    /// <summary>Counters, best value and the groups' current lrs.</summary>
    public IReadOnlyDictionary<string, double> GetState()
    {
        var s = new Dictionary<string, double>
        {
            ["epoch"] = Epoch,
            ["best"] = Best,
            ["num_bad_epochs"] = NumBadEpochs,
            ["cooldown_counter"] = CooldownCounter,
        };
        for (int i = 0; i < Optimizer.ParamGroups.Count; i++) s[$"lr.{i}"] = Optimizer.ParamGroups[i].Lr;
        return s;
    }

    public void SetState(IReadOnlyDictionary<string, double> state)
    {
        double Get(string k) => state.TryGetValue(k, out var v) ? v : throw new ArgumentException($"A ReduceLROnPlateau state needs '{k}'.");
        Epoch = (int)Get("epoch");
        Best = Get("best");
        NumBadEpochs = (int)Get("num_bad_epochs");
        CooldownCounter = (int)Get("cooldown_counter");
        for (int i = 0; i < Optimizer.ParamGroups.Count; i++)
            if (state.TryGetValue($"lr.{i}", out var lr)) Optimizer.ParamGroups[i].Lr = lr;
    }
}
