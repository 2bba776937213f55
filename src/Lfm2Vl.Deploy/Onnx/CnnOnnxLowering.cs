using Lfm2Vl.Deploy.Graph;

namespace Lfm2Vl.Deploy.Onnx;

/// <summary>Writes a lowered CNN (<see cref="InferenceGraph"/>: BatchNorm already folded) as ONNX nodes.</summary>
internal static class CnnOnnxLowering
{
    public static void Emit(OnnxGraphBuilder g, InferenceGraph graph)
    {
        var names = new Dictionary<string, string> { [graph.Input] = graph.Input };
        foreach (var node in graph.Nodes)
        {
            string x = names[node.Inputs[0]];
            string y = node switch
            {
                ConvNode c => Act(g, g.Node("Conv",
                    [x, g.Initializer(c.Output + ".weight", c.Weight, c.OutChannels, c.InChannels, c.Kernel, c.Kernel), g.Initializer(c.Output + ".bias", c.Bias, c.OutChannels)],
                    OnnxAttribute.Ints("kernel_shape", c.Kernel, c.Kernel), OnnxAttribute.Ints("strides", c.Stride, c.Stride),
                    OnnxAttribute.Ints("pads", c.Padding, c.Padding, c.Padding, c.Padding)), c.Activation),
                MaxPoolNode p => g.Node("MaxPool", [x],
                    OnnxAttribute.Ints("kernel_shape", p.Kernel, p.Kernel), OnnxAttribute.Ints("strides", p.Stride, p.Stride),
                    OnnxAttribute.Ints("pads", p.Padding, p.Padding, p.Padding, p.Padding)),
                AddNode a => Act(g, g.Node("Add", [x, names[a.B]]), a.Activation),
                GlobalAvgPoolNode => g.Node("Flatten", [g.Node("GlobalAveragePool", [x])], OnnxAttribute.Int("axis", 1)),
                LinearNode l => Act(g, OnnxOps.Gemm(g, x, l.Weight, l.Bias, l.OutFeatures, l.InFeatures, l.Output), l.Activation),
                _ => throw new NotSupportedException($"No ONNX lowering for {node.GetType().Name}."),
            };
            names[node.Output] = y;
        }
        g.Node("Identity", [names[graph.Output]], "logits");
    }

    private static string Act(OnnxGraphBuilder g, string x, Activation act) => act switch
    {
        Activation.None => x,
        Activation.Relu => g.Node("Relu", [x]),
        Activation.Gelu => OnnxOps.Gelu(g, x),
        _ => throw new NotSupportedException(act.ToString()),
    };
}
