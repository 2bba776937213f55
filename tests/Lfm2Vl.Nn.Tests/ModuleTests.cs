using Lfm2Vl.Engine;
using Lfm2Vl.Nn.Modules;
using Xunit;

namespace Lfm2Vl.Nn.Tests;

public class ModuleTests
{
    /// <summary>A three-level model: backbone.layer1.{0,1}.{fc,drop}, backbone.stem, head; plus a buffer.</summary>
    private sealed class Block : Module<Tensor, Tensor>
    {
        public Block(int width, Generator g)
        {
            Fc = RegisterModule("fc", new Linear(width, width, generator: g));
            Drop = RegisterModule("drop", new Dropout(0.5, g.Fork()));
            Count = RegisterBuffer("count", Tensor.Zeros([1]));
        }

        public Linear Fc { get; }
        public Dropout Drop { get; }
        public Tensor Count { get; }
        public override Tensor Forward(Tensor x) => Drop.Forward(Fc.Forward(x).Relu());
    }

    private sealed class Backbone : Module<Tensor, Tensor>
    {
        public Backbone(Generator g)
        {
            Stem = RegisterModule("stem", new Linear(4, 6, generator: g));
            Layer1 = RegisterModule("layer1", new Sequential(new Block(6, g), new Block(6, g)));
        }

        public Linear Stem { get; }
        public Sequential Layer1 { get; }
        public override Tensor Forward(Tensor x) => Layer1.Forward(Stem.Forward(x));
    }

    private sealed class Net : Module<Tensor, Tensor>
    {
        public Net(Generator g)
        {
            Backbone = RegisterModule("backbone", new Backbone(g));
            Head = RegisterModule("head", new Linear(6, 3, bias: false, generator: g));
        }

        public Backbone Backbone { get; }
        public Linear Head { get; }
        public override Tensor Forward(Tensor x) => Head.Forward(Backbone.Forward(x));
    }

    [Fact]
    public void NamesAreHierarchicalAndInRegistrationOrder()
    {
        var net = new Net(new Generator(1));
        Assert.Equal(
        [
            "backbone.stem.weight", "backbone.stem.bias",
            "backbone.layer1.0.fc.weight", "backbone.layer1.0.fc.bias",
            "backbone.layer1.1.fc.weight", "backbone.layer1.1.fc.bias",
            "head.weight",
        ], net.NamedParameters().Select(x => x.Name));
        Assert.Equal(["backbone.layer1.0.count", "backbone.layer1.1.count"], net.NamedBuffers().Select(x => x.Name));
        Assert.Equal(["", "backbone", "backbone.stem", "backbone.layer1", "backbone.layer1.0", "backbone.layer1.0.fc", "backbone.layer1.0.drop",
            "backbone.layer1.1", "backbone.layer1.1.fc", "backbone.layer1.1.drop", "head"], net.NamedModules().Select(x => x.Name));
        Assert.Same(net.Backbone.Layer1[1], net.GetSubmodule("backbone.layer1.1"));
        Assert.Same(net.Head.Weight, net.GetParameter("head.weight"));
        var err = Assert.Throws<KeyNotFoundException>(() => net.GetParameter("backbone.layer1.2.fc.weight"));
        Assert.Contains("no child '2'", err.Message);
    }

    [Fact]
    public void StateDictHoldsParametersThenBuffersPerModule()
    {
        var net = new Net(new Generator(1));
        var keys = net.StateDict().Keys.ToList();
        Assert.Equal(9, keys.Count);
        // A module's own entries come before its children's, as in PyTorch.
        Assert.True(keys.IndexOf("backbone.layer1.0.count") < keys.IndexOf("backbone.layer1.0.fc.weight"));
        Assert.True(keys.IndexOf("backbone.layer1.0.fc.bias") < keys.IndexOf("backbone.layer1.1.count"));
        Assert.Same(net.Head.Weight.Data, net.StateDict()["head.weight"]);
    }

    [Fact]
    public void TrainAndEvalPropagateToEveryDescendant()
    {
        var net = new Net(new Generator(1));
        Assert.All(net.NamedModules(), m => Assert.True(m.Module.IsTraining));
        net.Eval();
        Assert.All(net.NamedModules(), m => Assert.False(m.Module.IsTraining));
        net.Backbone.Train();
        Assert.False(net.IsTraining);
        Assert.True(net.Backbone.Layer1[0].IsTraining);
        Assert.False(net.Head.IsTraining);
    }

    [Fact]
    public void RegistrationRejectsDuplicateAndDottedNames()
    {
        var e1 = Assert.Throws<ArgumentException>(() => new BadModule(dup: true));
        Assert.Contains("already has a member named 'w'", e1.Message);
        var e2 = Assert.Throws<ArgumentException>(() => new BadModule(dup: false));
        Assert.Contains("contains a dot", e2.Message);
    }

    private sealed class BadModule : Module
    {
        public BadModule(bool dup)
        {
            if (dup)
            {
                RegisterParameter("w", new Parameter(Tensor.Zeros([1])));
                RegisterBuffer("w", Tensor.Zeros([1]));
            }
            else RegisterParameter("a.b", new Parameter(Tensor.Zeros([1])));
        }
    }

    [Fact]
    public void LoadStateDictCopiesInPlaceAndRoundTrips()
    {
        var a = new Net(new Generator(1));
        var b = new Net(new Generator(2));
        var weightBefore = b.Head.Weight.Data;
        Assert.NotEqual(TestUtil.Snapshot(a)["head.weight"], TestUtil.Snapshot(b)["head.weight"]);
        var result = b.LoadStateDict(a.StateDict());
        Assert.True(result.IsExactMatch);
        Assert.Same(weightBefore, b.Head.Weight.Data); // same tensor object: optimizers keep working
        Assert.Equal(TestUtil.Snapshot(a), TestUtil.Snapshot(b));
    }

    [Fact]
    public void LoadStateDictNamesEveryMissingUnexpectedAndMisshapedEntry()
    {
        var net = new Net(new Generator(1));
        var before = TestUtil.Snapshot(net);
        var src = new Net(new Generator(2)).StateDict();
        src.Remove("head.weight");
        src.Remove("backbone.layer1.1.count");
        src["extra.weight"] = Tensor.Zeros([2]);
        src["backbone.stem.bias"] = Tensor.Zeros([7]);

        var ex = Assert.Throws<StateDictMismatchException>(() => net.LoadStateDict(src));
        Assert.Equal(["head.weight", "backbone.layer1.1.count"], ex.Result.Missing.Order().Reverse());
        Assert.Equal(["extra.weight"], ex.Result.Unexpected);
        var mm = Assert.Single(ex.Result.Mismatched);
        Assert.Equal("backbone.stem.bias", mm.Name);
        Assert.Equal([6], mm.Expected);
        Assert.Equal([7], mm.Actual);
        Assert.Contains("Missing (2): backbone.layer1.1.count, head.weight", ex.Message);
        Assert.Contains("Unexpected (1): extra.weight", ex.Message);
        Assert.Contains("backbone.stem.bias: model has [6], state dict has [7]", ex.Message);
        Assert.Equal(before, TestUtil.Snapshot(net)); // nothing was written
    }

    [Fact]
    public void NonStrictLoadReportsButStillRejectsShapeMismatches()
    {
        var net = new Net(new Generator(1));
        var src = new Net(new Generator(2)).StateDict();
        src.Remove("head.weight");
        src["extra"] = Tensor.Zeros([1]);
        var result = net.LoadStateDict(src, strict: false);
        Assert.Equal(["head.weight"], result.Missing);
        Assert.Equal(["extra"], result.Unexpected);
        Assert.Equal(src["backbone.stem.weight"].ToDoubleArray(), net.Backbone.Stem.Weight.Data.ToDoubleArray());

        src["backbone.stem.weight"] = Tensor.Zeros([1, 1]);
        Assert.Throws<StateDictMismatchException>(() => net.LoadStateDict(src, strict: false));
    }

    [Fact]
    public void CountsAndFreezing()
    {
        var net = new Net(new Generator(1));
        long stem = 4 * 6 + 6, block = 6 * 6 + 6, head = 6 * 3;
        Assert.Equal(stem + 2 * block + head, net.ParameterCount());
        Assert.Equal(net.ParameterCount(), net.TrainableParameterCount());

        net.Backbone.Freeze();
        Assert.Equal(head, net.TrainableParameterCount());
        Assert.All(net.Backbone.Parameters(), p => Assert.True(p.Frozen));
        Assert.False(net.Head.Weight.Frozen);

        net.Backbone.Layer1.Unfreeze();
        Assert.Equal(head + 2 * block, net.TrainableParameterCount());
        net.GetParameter("backbone.layer1.0.fc.bias").Freeze();
        Assert.Equal(head + 2 * block - 6, net.TrainableParameterCount());
    }

    [Fact]
    public void FrozenParametersGetNoGradient()
    {
        var net = new Net(new Generator(1));
        net.Backbone.Stem.Freeze();
        net.Eval();
        using (TensorScope.Begin())
            net.Forward(Tensor.Ones([2, 4])).Sum().Backward();
        Assert.Null(net.Backbone.Stem.Weight.Grad);
        Assert.NotNull(net.Head.Weight.Grad);
    }

    [Fact]
    public void SummaryListsEveryModuleWithOwnCounts()
    {
        var net = new Net(new Generator(1));
        net.Head.Freeze();
        var s = net.Summary();
        Assert.Equal(net.NamedModules().Count(), s.Rows.Count);
        var stem = s.Rows.Single(r => r.Name == "backbone.stem");
        Assert.Equal("weight [6, 4], bias [6]", stem.ParameterShapes);
        Assert.Equal(30, stem.Parameters);
        Assert.Equal(2, stem.Depth);
        Assert.Equal(0, s.Rows.Single(r => r.Name == "backbone").Parameters);
        Assert.Equal(1, s.Rows.Single(r => r.Name == "backbone.layer1.0").BufferElements);
        var head = s.Rows.Single(r => r.Name == "head");
        Assert.Equal(18, head.Parameters);
        Assert.Equal(0, head.Trainable);
        Assert.Equal(net.ParameterCount(), s.TotalParameters);
        Assert.Equal(net.ParameterCount() - 18, s.TrainableParameters);

        var text = s.ToString();
        Assert.Contains("backbone.layer1.1.fc", text);
        Assert.Contains("Linear(6->3, no bias)", text);
        Assert.Contains($"Total parameters: {net.ParameterCount()}", text);
        Assert.Contains("frozen: 18", text);
    }

    [Fact]
    public void SharedParametersAreCountedAndOptimizedOnce()
    {
        var shared = new Linear(3, 3, generator: new Generator(1));
        var seq = new Sequential(shared, new ReLU(), shared);
        Assert.Equal(12, seq.ParameterCount());
        Assert.Equal(["0.weight", "0.bias"], seq.NamedParameters().Select(x => x.Name));
        Assert.Equal(12, seq.Summary().TotalParameters);
    }
}
