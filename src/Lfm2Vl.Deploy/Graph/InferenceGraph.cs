namespace Lfm2Vl.Deploy.Graph;

/// <summary>
/// A model lowered for inference: images [N, 3, S, S] named <see cref="Input"/> flow through <see cref="Nodes"/>
/// (in execution order) to the logits [N, classes] named <see cref="Output"/>. The float executor, the int8
/// quantizer and the ONNX exporter all read this one description.
/// </summary>
public sealed record InferenceGraph(string Name, int InputSize, int NumClasses, IReadOnlyList<GraphNode> Nodes,
    string Input = "images", string Output = "logits")
{
    public IEnumerable<ConvNode> Convolutions => Nodes.OfType<ConvNode>();

    /// <summary>Number of weight and bias values.</summary>
    public long ParameterCount => Nodes.Sum(n => n switch
    {
        ConvNode c => (long)c.Weight.Length + c.Bias.Length,
        LinearNode l => (long)l.Weight.Length + l.Bias.Length,
        _ => 0L,
    });

    /// <summary>Multiply-accumulates per image at <see cref="InputSize"/>.</summary>
    public long MacsPerImage()
    {
        long macs = 0;
        var sizes = new Dictionary<string, int> { [Input] = InputSize };
        foreach (var node in Nodes)
        {
            int s = sizes.GetValueOrDefault(node.Inputs[0], 1);
            switch (node)
            {
                case ConvNode c:
                    int o = c.OutSize(s);
                    macs += (long)o * o * c.OutChannels * c.ReductionSize;
                    sizes[c.Output] = o;
                    break;
                case MaxPoolNode p: sizes[p.Output] = p.OutSize(s); break;
                case LinearNode l: macs += (long)l.OutFeatures * l.InFeatures; sizes[l.Output] = 1; break;
                case GlobalAvgPoolNode g: sizes[g.Output] = 1; break;
                default: sizes[node.Output] = s; break;
            }
        }
        return macs;
    }
}
