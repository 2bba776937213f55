using Lfm2Vl.Nn.Optim;

namespace Lfm2Vl.Nn.Schedules;

/// <summary>A schedule whose whole state is a few numbers, saved and restored for resume.</summary>
public interface IStatefulSchedule
{
    IReadOnlyDictionary<string, double> GetState();
    void SetState(IReadOnlyDictionary<string, double> state);
}

/// <summary>
/// A learning-rate schedule driven by a step counter: the lr of each group at step t is a closed-form
/// function of t and the group's base lr (<see cref="ParamGroup.InitialLr"/>). Building one sets the step-0 lr;
/// each <see cref="Step"/> advances t and writes the new lrs into the optimizer's groups. Because
/// <see cref="LrAt"/> is a pure function, schedules compose (see <see cref="LinearWarmup"/>).
/// Subclasses finish their constructor with <see cref="Start"/>.
/// </summary>
public abstract class LrScheduler : IStatefulSchedule
{
    protected LrScheduler(Optimizer optimizer)
    {
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        BaseLrs = optimizer.ParamGroups.Select(g => g.InitialLr).ToArray();
    }

    public Optimizer Optimizer { get; }
    public IReadOnlyList<double> BaseLrs { get; }

    /// <summary>Number of <see cref="Step"/> calls (PyTorch's last_epoch).</summary>
    public int Epoch { get; private set; }

    /// <summary>The lrs written by the last step, one per group.</summary>
    public IReadOnlyList<double> LastLr => Optimizer.ParamGroups.Select(g => g.Lr).ToArray();

    /// <summary>The lr of a group at a step, from its base lr.</summary>
    public abstract double LrAt(int group, int epoch);

    /// <summary>Writes the step-0 lrs; call at the end of a subclass constructor.</summary>
    protected void Start() => Apply();

    public void Step()
    {
        Epoch++;
        Apply();
    }

    private void Apply()
    {
        for (int i = 0; i < Optimizer.ParamGroups.Count; i++) Optimizer.ParamGroups[i].Lr = LrAt(i, Epoch);
    }

    public virtual IReadOnlyDictionary<string, double> GetState() => new Dictionary<string, double> { ["epoch"] = Epoch };

    /// <summary>Restores the step counter and rewrites the lrs for that step.</summary>
    public virtual void SetState(IReadOnlyDictionary<string, double> state)
    {
        if (!state.TryGetValue("epoch", out double e) || e < 0 || e != Math.Floor(e))
            throw new ArgumentException($"A {GetType().Name} state needs a non-negative integer 'epoch'.");
        Epoch = (int)e;
        Apply();
    }

    protected double Base(int group) => BaseLrs[group];
}
