using Lfm2Vl.Engine;

namespace Lfm2Vl.Nn.Modules;

/// <summary>Returns its input unchanged (a placeholder, e.g. for a removed classifier head).</summary>
public sealed class Identity : Module<Tensor, Tensor>
{
    public override Tensor Forward(Tensor input) => input;
}
