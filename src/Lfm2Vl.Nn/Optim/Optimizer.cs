using Lfm2Vl.Engine;
using Lfm2Vl.Nn.Modules;
using Lfm2Vl.Nn.Serialization;

namespace Lfm2Vl.Nn.Optim;

/// <summary>
/// Base of the optimizers: parameter groups, per-parameter state (persistent buffers reused every step), a
/// no-grad <see cref="Step"/> that updates parameters in place, and state save/load for an exact resume.
/// Parameters that are frozen or have no gradient are skipped, so they stay bit-identical.
/// </summary>
public abstract class Optimizer
{
    private readonly List<ParamGroup> _groups;
    private readonly Dictionary<Parameter, ParameterState> _state = new(ReferenceEqualityComparer.Instance);

    protected Optimizer(IEnumerable<ParamGroup> groups, double lr, double weightDecay)
    {
        if (!(lr >= 0)) throw new ArgumentOutOfRangeException(nameof(lr), $"The learning rate must be >= 0, got {lr}.");
        if (!(weightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(weightDecay), $"Weight decay must be >= 0, got {weightDecay}.");
        _groups = groups.ToList();
        if (_groups.Count == 0) throw new ArgumentException("An optimizer needs at least one parameter group.", nameof(groups));
        var seen = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        foreach (var g in _groups)
        {
            if (g.Owner is not null) throw new ArgumentException($"{g} already belongs to another optimizer.", nameof(groups));
            g.Owner = this;
            g.Lr = g.RequestedLr ?? lr;
            g.WeightDecay = g.RequestedWeightDecay ?? weightDecay;
            g.InitialLr = g.Lr;
            foreach (var p in g.Parameters)
                if (!seen.Add(p)) throw new ArgumentException($"A parameter ({p}) appears in more than one group.", nameof(groups));
        }
    }

    /// <summary>One group holding all the parameters.</summary>
    protected static IEnumerable<ParamGroup> Single(IEnumerable<Parameter> parameters) => [new ParamGroup(parameters, name: "default")];

    public IReadOnlyList<ParamGroup> ParamGroups => _groups;

    /// <summary>Number of completed <see cref="Step"/> calls.</summary>
    public long StepCount { get; private set; }

    /// <summary>All parameters, in group order (the order state dicts number them by).</summary>
    public IEnumerable<Parameter> AllParameters() => _groups.SelectMany(g => g.Parameters);

    /// <summary>Releases the gradients (setToNone, the default) or zeroes them in place.</summary>
    public void ZeroGrad(bool setToNone = true)
    {
        using var noGrad = GradMode.NoGrad();
        foreach (var p in AllParameters())
        {
            if (setToNone) p.Data.ZeroGrad();
            else p.Grad?.Zero();
        }
    }

    /// <summary>Applies one update to every trainable parameter that has a gradient.</summary>
    public void Step()
    {
        using var noGrad = GradMode.NoGrad();
        // Temporaries of the update die with this scope; state buffers are persisted out of it.
        using var scope = TensorScope.Begin();
        foreach (var g in _groups)
            foreach (var p in g.Parameters)
            {
                if (!p.RequiresGrad || p.Grad is null) continue;
                if (!_state.TryGetValue(p, out var st)) _state[p] = st = new ParameterState();
                st.MoveTo(p.Data.Device); // the model may have been moved since the state was created
                st.Step++;
                Update(g, p, p.Grad, st);
            }
        StepCount++;
    }

    /// <summary>Updates one parameter in place (called under no-grad; st.Step already counts this update).</summary>
    protected abstract void Update(ParamGroup group, Parameter p, Tensor grad, ParameterState st);

    /// <summary>The buffer names this optimizer keeps per parameter (for state load checks).</summary>
    protected abstract IReadOnlyList<string> BufferNames { get; }

    // ---- state ----------------------------------------------------------------------------------

    /// <summary>
    /// A snapshot (copies) of everything needed to resume: step counts, each group's lr and weight decay, and
    /// each parameter's buffers, keyed by the parameter's position in <see cref="AllParameters"/>
    /// ("param.3.exp_avg", "param.3.step").
    /// </summary>
    public TrainingState GetState()
    {
        var s = new TrainingState();
        s.Scalars["step_count"] = StepCount;
        s.Scalars["group_count"] = _groups.Count;
        for (int g = 0; g < _groups.Count; g++)
        {
            s.Scalars[$"group.{g}.size"] = _groups[g].Parameters.Count;
            s.Scalars[$"group.{g}.lr"] = _groups[g].Lr;
            s.Scalars[$"group.{g}.initial_lr"] = _groups[g].InitialLr;
            s.Scalars[$"group.{g}.weight_decay"] = _groups[g].WeightDecay;
        }
        using var noGrad = GradMode.NoGrad();
        int i = 0;
        foreach (var p in AllParameters())
        {
            if (_state.TryGetValue(p, out var st))
            {
                s.Scalars[$"param.{i}.step"] = st.Step;
                foreach (var (name, buf) in st.Buffers) s.AddTensor($"param.{i}.{name}", buf.Clone());
            }
            i++;
        }
        return s;
    }

    /// <summary>
    /// Restores a snapshot from <see cref="GetState"/> into an optimizer built over the same parameters in the
    /// same groups. Structure and shapes are checked before anything changes; the tensors are copied.
    /// </summary>
    public void SetState(TrainingState state)
    {
        int groupCount = (int)state.Scalar("group_count");
        if (groupCount != _groups.Count)
            throw new ArgumentException($"The saved optimizer has {groupCount} parameter groups; this one has {_groups.Count}.");
        for (int g = 0; g < groupCount; g++)
        {
            int size = (int)state.Scalar($"group.{g}.size");
            if (size != _groups[g].Parameters.Count)
                throw new ArgumentException($"Saved group {g} has {size} parameters; this optimizer's has {_groups[g].Parameters.Count}.");
        }
        var ps = AllParameters().ToList();
        var known = new HashSet<string>(BufferNames);
        foreach (var (key, t) in state.Tensors)
        {
            var (index, name) = ParseParamKey(key);
            if (index >= ps.Count) throw new ArgumentException($"Saved state '{key}' refers to parameter {index}; there are {ps.Count}.");
            if (!known.Contains(name)) throw new ArgumentException($"Saved state '{key}' is not a {GetType().Name} buffer (known: {string.Join(", ", known)}).");
            if (!ShapeUtil.SameShape(t.Shape, ps[index].Shape))
                throw new ArgumentException($"Saved state '{key}' has shape {ShapeUtil.Format(t.Shape)}; parameter {index} has {ShapeUtil.Format(ps[index].Shape)}.");
        }

        StepCount = (long)state.Scalar("step_count");
        for (int g = 0; g < groupCount; g++)
        {
            _groups[g].Lr = state.Scalar($"group.{g}.lr");
            _groups[g].InitialLr = state.Scalar($"group.{g}.initial_lr");
            _groups[g].WeightDecay = state.Scalar($"group.{g}.weight_decay");
        }
        foreach (var st in _state.Values) st.Dispose();
        _state.Clear();
        using var noGrad = GradMode.NoGrad();
        for (int i = 0; i < ps.Count; i++)
        {
            if (!state.Scalars.TryGetValue($"param.{i}.step", out double step)) continue;
            var st = new ParameterState { Step = (long)step };
            foreach (var name in BufferNames)
                if (state.Tensors.TryGetValue($"param.{i}.{name}", out var t))
                {
                    var buf = Tensor.Empty(ps[i].Shape, ps[i].DType, ps[i].Data.Device).Persist();
                    st.Buffers[name] = buf.CopyFrom(t);
                }
            _state[ps[i]] = st;
        }
    }

    private static (int Index, string Name) ParseParamKey(string key)
    {
        var parts = key.Split('.', 3);
        if (parts.Length != 3 || parts[0] != "param" || !int.TryParse(parts[1], out int index) || index < 0)
            throw new ArgumentException($"'{key}' is not an optimizer state name (expected param.<index>.<buffer>).");
        return (index, parts[2]);
    }

    /// <summary>A fresh copy of a tensor (a temporary of the current update).</summary>
    protected static Tensor Copy(Tensor t) => Tensor.Empty(t.Shape, t.DType, t.Device).CopyFrom(t);

    /// <summary>The state of one parameter, or null before its first update.</summary>
    public ParameterState? StateOf(Parameter p) => _state.GetValueOrDefault(p);
}

/// <summary>Per-parameter optimizer state: its update count and persistent buffers (momentum, moments).</summary>
public sealed class ParameterState : IDisposable
{
    public long Step { get; set; }
    public Dictionary<string, Tensor> Buffers { get; } = new();

    /// <summary>The named buffer, created (persistent) by <paramref name="create"/> on first use.</summary>
    public Tensor GetOrCreate(string name, Func<Tensor> create, out bool created)
    {
        created = !Buffers.TryGetValue(name, out var t);
        if (created) Buffers[name] = t = create().Persist();
        return t!;
    }

    /// <summary>Re-homes every buffer on <paramref name="device"/> (in place; nothing happens when they are there already).</summary>
    public void MoveTo(Device device)
    {
        foreach (var b in Buffers.Values) b.MoveStorageTo(device);
    }

    public void Dispose()
    {
        foreach (var b in Buffers.Values) b.Dispose();
        Buffers.Clear();
    }
}
