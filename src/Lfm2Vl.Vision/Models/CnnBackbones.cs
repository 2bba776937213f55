using Lfm2Vl.Engine;
using Lfm2Vl.Nn.Init;
using Lfm2Vl.Nn.Layers;
using Lfm2Vl.Nn.Modules;

namespace Lfm2Vl.Vision.Models;

/// <summary>conv 3x3 -> BatchNorm -> ReLU, the building unit of the small CNN.</summary>
internal sealed class ConvBnRelu : Module<Tensor, Tensor>
{
    public ConvBnRelu(int inC, int outC, int kernel, int stride, int padding, Generator gen)
    {
        Conv = RegisterModule("conv", new Conv2d(inC, outC, kernel, stride, padding, bias: false, generator: gen));
        Bn = RegisterModule("bn", new BatchNorm2d(outC));
        Initializers.KaimingNormal(Conv.Weight, mode: FanMode.FanOut, nonlinearity: Nonlinearity.Relu, generator: gen);
    }

    public Conv2d Conv { get; }
    public BatchNorm2d Bn { get; }

    public override Tensor Forward(Tensor input) => Bn.Forward(Conv.Forward(input)).Relu();
}

/// <summary>
/// The small CNN that trains quickly on a CPU: four stages of conv 3x3 + BatchNorm + ReLU + max pool with
/// 32/64/128/256 channels (stride 16), then global average pooling.
/// </summary>
public sealed class SmallCnnBackbone : Backbone
{
    private readonly List<Module> _stages = new();

    public SmallCnnBackbone(Generator gen, int[]? widths = null)
    {
        widths ??= [32, 64, 128, 256];
        int inC = 3;
        for (int i = 0; i < widths.Length; i++)
        {
            var stage = new Sequential(new ConvBnRelu(inC, widths[i], 3, 1, 1, gen), new MaxPool2d(2));
            _stages.Add(RegisterModule($"stage{i + 1}", stage));
            inC = widths[i];
        }
        MapChannels = inC;
        Stride = 1 << widths.Length;
    }

    public override int PooledChannels => MapChannels;
    public override int MapChannels { get; }
    public override int Stride { get; }
    public override IReadOnlyList<Module> Stages => _stages;

    public override BackboneOutput Forward(Tensor images)
    {
        CheckInput(images, Stride, "SmallCnn");
        var x = images;
        foreach (Sequential s in _stages) x = s.Forward(x);
        return new BackboneOutput(Functional.GlobalAvgPool2d(x), x);
    }
}

/// <summary>ResNet basic block: two 3x3 convs with BatchNorm, identity or 1x1 projection shortcut.</summary>
internal sealed class BasicBlock : Module<Tensor, Tensor>
{
    public BasicBlock(int inC, int outC, int stride, Generator gen)
    {
        Conv1 = RegisterModule("conv1", new Conv2d(inC, outC, 3, stride, 1, bias: false, generator: gen));
        Bn1 = RegisterModule("bn1", new BatchNorm2d(outC));
        Conv2 = RegisterModule("conv2", new Conv2d(outC, outC, 3, 1, 1, bias: false, generator: gen));
        Bn2 = RegisterModule("bn2", new BatchNorm2d(outC));
        Initializers.KaimingNormal(Conv1.Weight, mode: FanMode.FanOut, nonlinearity: Nonlinearity.Relu, generator: gen);
        Initializers.KaimingNormal(Conv2.Weight, mode: FanMode.FanOut, nonlinearity: Nonlinearity.Relu, generator: gen);
        if (stride != 1 || inC != outC)
        {
            var conv = new Conv2d(inC, outC, 1, stride, 0, bias: false, generator: gen);
            Initializers.KaimingNormal(conv.Weight, mode: FanMode.FanOut, nonlinearity: Nonlinearity.Relu, generator: gen);
            Downsample = RegisterModule("downsample", new Sequential(conv, new BatchNorm2d(outC)));
        }
    }

    public Conv2d Conv1 { get; }
    public BatchNorm2d Bn1 { get; }
    public Conv2d Conv2 { get; }
    public BatchNorm2d Bn2 { get; }
    public Sequential? Downsample { get; }

    public override Tensor Forward(Tensor input)
    {
        var y = Bn1.Forward(Conv1.Forward(input)).Relu();
        y = Bn2.Forward(Conv2.Forward(y));
        var shortcut = Downsample is null ? input : Downsample.Forward(input);
        return (y + shortcut).Relu();
    }
}

/// <summary>ResNet-18 (torchvision's layout and parameter names): stem, layer1..layer4 of two basic blocks each.</summary>
public sealed class ResNetBackbone : Backbone
{
    private readonly List<Module> _stages = new();

    public ResNetBackbone(Generator gen, int[]? blocks = null, int[]? widths = null)
    {
        blocks ??= [2, 2, 2, 2];
        widths ??= [64, 128, 256, 512];
        var stem = new Sequential();
        var conv1 = new Conv2d(3, widths[0], 7, 2, 3, bias: false, generator: gen);
        Initializers.KaimingNormal(conv1.Weight, mode: FanMode.FanOut, nonlinearity: Nonlinearity.Relu, generator: gen);
        stem.Add("conv1", conv1);
        stem.Add("bn1", new BatchNorm2d(widths[0]));
        stem.Add("relu", new ReLU());
        stem.Add("maxpool", new MaxPool2d(3, 2, 1));
        _stages.Add(RegisterModule("stem", stem));
        int inC = widths[0];
        for (int s = 0; s < blocks.Length; s++)
        {
            var layer = new Sequential();
            for (int b = 0; b < blocks[s]; b++)
                layer.Add(new BasicBlock(b == 0 ? inC : widths[s], widths[s], b == 0 && s > 0 ? 2 : 1, gen));
            inC = widths[s];
            _stages.Add(RegisterModule($"layer{s + 1}", layer));
        }
        MapChannels = inC;
        Stride = 4 << (blocks.Length - 1);
    }

    public override int PooledChannels => MapChannels;
    public override int MapChannels { get; }
    public override int Stride { get; }
    public override IReadOnlyList<Module> Stages => _stages;

    public override BackboneOutput Forward(Tensor images)
    {
        CheckInput(images, Stride, "ResNet");
        var x = images;
        foreach (Sequential s in _stages) x = s.Forward(x);
        return new BackboneOutput(Functional.GlobalAvgPool2d(x), x);
    }
}
