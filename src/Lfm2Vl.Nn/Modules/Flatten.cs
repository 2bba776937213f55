using Lfm2Vl.Engine;

namespace Lfm2Vl.Nn.Modules;

/// <summary>Flattens dimensions startDim..endDim into one; the default keeps the batch dimension ([N, C, H, W] -> [N, C*H*W]).</summary>
public sealed class Flatten(int startDim = 1, int endDim = -1) : Module<Tensor, Tensor>
{
    public int StartDim { get; } = startDim;
    public int EndDim { get; } = endDim;
    public override Tensor Forward(Tensor input) => input.Flatten(StartDim, EndDim);
}
