using Lfm2Vl.Nn.Modules;

namespace Lfm2Vl.Nn.Optim;

/// <summary>Helpers that build the usual parameter groups.</summary>
public static class ParamGroups
{
    /// <summary>
    /// The standard split for weight decay: matrices and kernels (rank 2 and more) decay; biases and norm
    /// scales/shifts (rank 0 and 1) do not, since shrinking them toward zero only hurts.
    /// </summary>
    public static ParamGroup[] DecayAndNoDecay(Module module, double weightDecay, double? lr = null)
    {
        var decay = new List<Parameter>();
        var noDecay = new List<Parameter>();
        foreach (var p in module.Parameters()) (p.Rank >= 2 ? decay : noDecay).Add(p);
        return
        [
            new ParamGroup(decay, lr, weightDecay, "decay"),
            new ParamGroup(noDecay, lr, 0, "no_decay"),
        ];
    }
}
