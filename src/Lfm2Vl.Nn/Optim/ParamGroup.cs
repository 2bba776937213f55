using Lfm2Vl.Nn.Modules;

namespace Lfm2Vl.Nn.Optim;

/// <summary>
/// Parameters that share a learning rate and weight decay. Values left null take the optimizer's defaults
/// when the optimizer is built. Schedules change <see cref="Lr"/>; <see cref="InitialLr"/> is what they scale.
/// </summary>
public sealed class ParamGroup
{
    public ParamGroup(IEnumerable<Parameter> parameters, double? lr = null, double? weightDecay = null, string? name = null)
    {
        Parameters = parameters.ToList();
        RequestedLr = lr;
        RequestedWeightDecay = weightDecay;
        Name = name ?? "";
    }

    public string Name { get; }
    public IReadOnlyList<Parameter> Parameters { get; }
    public double Lr { get; set; }
    public double WeightDecay { get; set; }
    /// <summary>The learning rate the group started with: the base that schedules scale.</summary>
    public double InitialLr { get; internal set; }

    internal double? RequestedLr { get; }
    internal double? RequestedWeightDecay { get; }
    internal Optimizer? Owner { get; set; }

    public override string ToString() => $"ParamGroup '{Name}' ({Parameters.Count} tensors, lr={Lr}, weight_decay={WeightDecay})";
}
