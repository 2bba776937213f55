using Lfm2Vl.Nn.Optim;

namespace Lfm2Vl.Nn.Schedules;

/// <summary>
/// Linear warmup in front of any step-driven schedule: for t &lt; warmupSteps, lr = base * (startFactor +
/// (1 - startFactor) * t / warmupSteps); from then on the inner schedule runs from its own step 0
/// (lr = inner(t - warmupSteps)), or the base lr stays when there is none. This is PyTorch's
/// SequentialLR([LinearLR(start_factor, total_iters=warmupSteps), inner], milestones=[warmupSteps]).
/// Only the warmup is stepped; the inner schedule is used as a function of the step.
/// To warm up before <see cref="ReduceLROnPlateau"/> (metric-driven, so not a function of the step), step
/// this for the first warmupSteps steps, then step only the plateau schedule: it starts from the base lr the
/// warmup ends on. Stepping the warmup after that would reset the lr to the base.
/// </summary>
public sealed class LinearWarmup : LrScheduler
{
    public LinearWarmup(Optimizer optimizer, int warmupSteps, double startFactor = 1.0 / 3, LrScheduler? then = null) : base(optimizer)
    {
        if (warmupSteps <= 0) throw new ArgumentOutOfRangeException(nameof(warmupSteps), $"warmupSteps must be positive, got {warmupSteps}.");
        if (!(startFactor > 0 && startFactor <= 1)) throw new ArgumentOutOfRangeException(nameof(startFactor), $"startFactor must be in (0, 1], got {startFactor}.");
        if (then is not null && !ReferenceEquals(then.Optimizer, optimizer))
            throw new ArgumentException("The inner schedule must drive the same optimizer.", nameof(then));
        WarmupSteps = warmupSteps;
        StartFactor = startFactor;
        Then = then;
        Start();
    }

    public int WarmupSteps { get; }
    public double StartFactor { get; }
    public LrScheduler? Then { get; }

    public override double LrAt(int group, int epoch)
    {
        if (epoch < WarmupSteps) return Base(group) * (StartFactor + (1 - StartFactor) * epoch / WarmupSteps);
        return Then?.LrAt(group, epoch - WarmupSteps) ?? Base(group);
    }
}
