using Lfm2Vl.Nn.Optim;

namespace Lfm2Vl.Nn.Schedules;

public enum AnnealStrategy
{
    Cos,
    Linear,
}

/// <summary>
/// The one-cycle policy (torch OneCycleLR, learning rate only: momentum is not cycled). The lr rises from
/// maxLr / divFactor to maxLr over the first pctStart of totalSteps, then anneals to
/// maxLr / (divFactor * finalDivFactor). With threePhase it comes back down to the initial lr before the
/// final annealing. The groups' own lrs are ignored: maxLr sets the scale.
/// </summary>
public sealed class OneCycleLR : LrScheduler
{
    private readonly double[] _maxLrs;
    private readonly (double EndStep, int StartLr, int EndLr)[] _phases; // lr ids: 0 initial, 1 max, 2 min

    public OneCycleLR(Optimizer optimizer, double maxLr, int totalSteps, double pctStart = 0.3, AnnealStrategy anneal = AnnealStrategy.Cos,
        double divFactor = 25, double finalDivFactor = 1e4, bool threePhase = false)
        : this(optimizer, Enumerable.Repeat(maxLr, optimizer.ParamGroups.Count).ToArray(), totalSteps, pctStart, anneal, divFactor, finalDivFactor, threePhase) { }

    public OneCycleLR(Optimizer optimizer, IReadOnlyList<double> maxLrs, int totalSteps, double pctStart = 0.3, AnnealStrategy anneal = AnnealStrategy.Cos,
        double divFactor = 25, double finalDivFactor = 1e4, bool threePhase = false) : base(optimizer)
    {
        if (maxLrs.Count != optimizer.ParamGroups.Count)
            throw new ArgumentException($"OneCycleLR got {maxLrs.Count} max lrs for {optimizer.ParamGroups.Count} groups.", nameof(maxLrs));
        if (totalSteps <= 0) throw new ArgumentOutOfRangeException(nameof(totalSteps), $"totalSteps must be positive, got {totalSteps}.");
        if (!(pctStart > 0 && pctStart < 1)) throw new ArgumentOutOfRangeException(nameof(pctStart), $"pctStart must be in (0, 1), got {pctStart}.");
        if (!(divFactor > 0 && finalDivFactor > 0)) throw new ArgumentOutOfRangeException(nameof(divFactor), "divFactor and finalDivFactor must be positive.");
        _maxLrs = maxLrs.ToArray();
        TotalSteps = totalSteps;
        PctStart = pctStart;
        Anneal = anneal;
        DivFactor = divFactor;
        FinalDivFactor = finalDivFactor;
        ThreePhase = threePhase;
        double up = pctStart * totalSteps - 1;
        _phases = threePhase
            ? [(up, 0, 1), (2 * pctStart * totalSteps - 2, 1, 0), (totalSteps - 1, 0, 2)]
            : [(up, 0, 1), (totalSteps - 1, 1, 2)];
        Start();
    }

    public int TotalSteps { get; }
    public double PctStart { get; }
    public AnnealStrategy Anneal { get; }
    public double DivFactor { get; }
    public double FinalDivFactor { get; }
    public bool ThreePhase { get; }

    public override double LrAt(int group, int epoch)
    {
        if (epoch > TotalSteps)
            throw new InvalidOperationException($"OneCycleLR was stepped to {epoch}, past its {TotalSteps} total steps.");
        double max = _maxLrs[group], initial = max / DivFactor, min = initial / FinalDivFactor;
        double Lr(int id) => id switch { 0 => initial, 1 => max, _ => min };
        double start = 0;
        for (int i = 0; i < _phases.Length; i++)
        {
            var (end, from, to) = _phases[i];
            if (epoch <= end || i == _phases.Length - 1)
            {
                double pct = (epoch - start) / (end - start);
                return Anneal == AnnealStrategy.Cos
                    ? Lr(to) + (Lr(from) - Lr(to)) / 2 * (Math.Cos(Math.PI * pct) + 1)
                    : (Lr(to) - Lr(from)) * pct + Lr(from);
            }
            start = end;
        }
        throw new InvalidOperationException("unreachable");
    }
}
