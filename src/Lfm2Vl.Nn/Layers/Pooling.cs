using Lfm2Vl.Engine;
using Lfm2Vl.Nn.Modules;

namespace Lfm2Vl.Nn.Layers;

public sealed class MaxPool2d(int kernel, int? stride = null, int padding = 0, bool ceilMode = false) : Module<Tensor, Tensor>
{
    public override Tensor Forward(Tensor input) => Functional.MaxPool2d(input, kernel, stride, padding, ceilMode);
    public override string TypeName => $"MaxPool2d(k={kernel}, s={stride ?? kernel}, p={padding})";
}

public sealed class AvgPool2d(int kernel, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true) : Module<Tensor, Tensor>
{
    public override Tensor Forward(Tensor input) => Functional.AvgPool2d(input, kernel, stride, padding, ceilMode, countIncludePad);
    public override string TypeName => $"AvgPool2d(k={kernel}, s={stride ?? kernel}, p={padding})";
}

/// <summary>Adaptive average pooling to a fixed output size ([N, C, H, W] -> [N, C, outH, outW]).</summary>
public sealed class AdaptiveAvgPool2d(int outH, int outW) : Module<Tensor, Tensor>
{
    public override Tensor Forward(Tensor input) => Functional.AdaptiveAvgPool2d(input, outH, outW);
    public override string TypeName => $"AdaptiveAvgPool2d({outH}x{outW})";
}
