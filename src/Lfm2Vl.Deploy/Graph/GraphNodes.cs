namespace Lfm2Vl.Deploy.Graph;

/// <summary>
/// One step of an inference graph. Values are named; each node reads named inputs and writes one output.
/// Weights are plain float arrays (already folded), so a graph owns no engine tensors.
/// </summary>
public abstract record GraphNode(string Output)
{
    public abstract IReadOnlyList<string> Inputs { get; }
}

/// <summary>
/// Convolution with a bias and a fused activation: y = act(conv(x, W) + b). W is [OC, C, KH, KW] row-major.
/// BatchNorm has already been folded into W and b.
/// </summary>
public sealed record ConvNode(string Input, string Output, float[] Weight, int OutChannels, int InChannels, int Kernel,
    int Stride, int Padding, float[] Bias, Activation Activation) : GraphNode(Output)
{
    public override IReadOnlyList<string> Inputs => [Input];
    public int ReductionSize => InChannels * Kernel * Kernel;
    public int OutSize(int inSize) => (inSize + 2 * Padding - Kernel) / Stride + 1;
}

/// <summary>Max pooling with a square window (padding reads as -infinity).</summary>
public sealed record MaxPoolNode(string Input, string Output, int Kernel, int Stride, int Padding) : GraphNode(Output)
{
    public override IReadOnlyList<string> Inputs => [Input];
    public int OutSize(int inSize) => (inSize + 2 * Padding - Kernel) / Stride + 1;
}

/// <summary>Element-wise sum of two equal-shape values, then the activation (the residual add of a basic block).</summary>
public sealed record AddNode(string A, string B, string Output, Activation Activation) : GraphNode(Output)
{
    public override IReadOnlyList<string> Inputs => [A, B];
}

/// <summary>[N, C, H, W] -> [N, C]: the mean over space.</summary>
public sealed record GlobalAvgPoolNode(string Input, string Output) : GraphNode(Output)
{
    public override IReadOnlyList<string> Inputs => [Input];
}

/// <summary>y = act(x W^T + b) over [N, In]; W is [Out, In] row-major.</summary>
public sealed record LinearNode(string Input, string Output, float[] Weight, int OutFeatures, int InFeatures, float[] Bias,
    Activation Activation) : GraphNode(Output)
{
    public override IReadOnlyList<string> Inputs => [Input];
}
