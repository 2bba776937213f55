using Lfm2Vl.Nn.Layers;
using Lfm2Vl.Nn.Modules;
using Lfm2Vl.Vision.Models;

namespace Lfm2Vl.Deploy.Graph;

/// <summary>
/// Lowers a CNN recognition model (small CNN or ResNet) to an <see cref="InferenceGraph"/> for classification:
/// every conv with its BatchNorm folded and its ReLU fused, the pools, the residual adds (with the block's final
/// ReLU fused), then the neck (Linear + GELU) and the classifier (Dropout is the identity at inference).
/// The detection head is not part of the graph.
/// </summary>
public static class CnnLowering
{
    public static bool CanLower(Lfm2VlModel model) => model.Backbone is SmallCnnBackbone or ResNetBackbone;

    public static InferenceGraph Lower(Lfm2VlModel model)
    {
        var nodes = new List<GraphNode>();
        var names = new NameSource();
        string x = "images";
        switch (model.Backbone)
        {
            case SmallCnnBackbone small:
                foreach (Sequential stage in small.Stages)
                {
                    var unit = (ConvBnRelu)stage[0];
                    string c = names.Next("conv");
                    nodes.Add(BatchNormFolding.Lower(unit.Conv, unit.Bn, x, c, Activation.Relu));
                    // SmallCnnBackbone builds each stage with MaxPool2d(2).
                    x = names.Next("pool");
                    nodes.Add(new MaxPoolNode(c, x, 2, 2, 0));
                }
                break;
            case ResNetBackbone resnet:
                var stem = (Sequential)resnet.Stages[0];
                string s = names.Next("conv");
                nodes.Add(BatchNormFolding.Lower((Conv2d)stem[0], (BatchNorm2d)stem[1], x, s, Activation.Relu));
                // ResNetBackbone's stem ends in MaxPool2d(3, 2, 1).
                x = names.Next("pool");
                nodes.Add(new MaxPoolNode(s, x, 3, 2, 1));
                foreach (Sequential layer in resnet.Stages.Skip(1))
                    foreach (BasicBlock block in layer)
                        x = LowerBlock(block, x, nodes, names);
                break;
            default:
                throw new NotSupportedException($"{model.Config.Name}: only CNN backbones (small, resnet18) are lowered to the fused inference graph.");
        }
        string pooled = names.Next("gap");
        nodes.Add(new GlobalAvgPoolNode(x, pooled));
        nodes.Add(LowerLinear(model.Neck.Proj, pooled, "features", Activation.Gelu));
        nodes.Add(LowerLinear(model.Classifier.Fc, "features", "logits", Activation.None));
        return new InferenceGraph(model.Config.Name, model.Config.InputSize, model.Config.NumClasses, nodes);
    }

    private static string LowerBlock(BasicBlock block, string x, List<GraphNode> nodes, NameSource names)
    {
        string h = names.Next("conv");
        nodes.Add(BatchNormFolding.Lower(block.Conv1, block.Bn1, x, h, Activation.Relu));
        string y = names.Next("conv");
        nodes.Add(BatchNormFolding.Lower(block.Conv2, block.Bn2, h, y, Activation.None));
        string shortcut = x;
        if (block.Downsample is { } ds)
        {
            shortcut = names.Next("conv");
            nodes.Add(BatchNormFolding.Lower((Conv2d)ds[0], (BatchNorm2d)ds[1], x, shortcut, Activation.None));
        }
        string sum = names.Next("add");
        nodes.Add(new AddNode(y, shortcut, sum, Activation.Relu));
        return sum;
    }

    internal static LinearNode LowerLinear(Linear linear, string input, string output, Activation act) =>
        new(input, output, linear.Weight.Data.ToFloatArray(), linear.OutFeatures, linear.InFeatures,
            linear.Bias?.Data.ToFloatArray() ?? new float[linear.OutFeatures], act);

    private sealed class NameSource
    {
        private readonly Dictionary<string, int> _counts = new();
        public string Next(string kind)
        {
            int n = _counts.GetValueOrDefault(kind);
            _counts[kind] = n + 1;
            return $"{kind}{n}";
        }
    }
}
