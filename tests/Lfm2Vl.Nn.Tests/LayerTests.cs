using Lfm2Vl.Engine;
using Lfm2Vl.Nn.Modules;
using Xunit;

namespace Lfm2Vl.Nn.Tests;

public class LayerTests
{
    [Fact]
    public void LinearComputesXWTransposePlusBias()
    {
        var lin = new Linear(3, 2, generator: new Generator(0));
        using (GradMode.NoGrad())
        {
            lin.Weight.Data.CopyFrom(Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3));
            lin.Bias!.Data.CopyFrom(Tensor.FromArray(new float[] { 10, 20 }, 2));
        }
        var y = lin.Forward(Tensor.FromArray(new float[] { 1, 0, -1, 2, 2, 2 }, 2, 3));
        Assert.Equal([2, 2], y.Shape);
        Assert.Equal(new float[] { 8, 18, 22, 50 }, y.ToArray<float>());
        // Batched [2, 1, 3] input keeps its leading dims.
        Assert.Equal([2, 1, 2], lin.Forward(Tensor.Ones([2, 1, 3])).Shape);
        Assert.Throws<ArgumentException>(() => lin.Forward(Tensor.Ones([2, 4])));
    }

    [Fact]
    public void LinearDefaultInitMatchesPyTorchBounds()
    {
        var lin = new Linear(64, 32, generator: new Generator(5));
        double bound = 1 / Math.Sqrt(64);
        var w = lin.Weight.Data.ToDoubleArray();
        var b = lin.Bias!.Data.ToDoubleArray();
        Assert.All(w, v => Assert.InRange(v, -bound, bound));
        Assert.All(b, v => Assert.InRange(v, -bound, bound));
        // U(-bound, bound) has std bound/sqrt(3).
        double std = Math.Sqrt(w.Select(v => v * v).Average());
        Assert.InRange(std, 0.95 * bound / Math.Sqrt(3), 1.05 * bound / Math.Sqrt(3));
        Assert.True(w.Max() > 0.9 * bound && w.Min() < -0.9 * bound);
    }

    [Fact]
    public void LinearWithoutBiasHasOnlyAWeight()
    {
        var lin = new Linear(4, 5, bias: false, generator: new Generator(0));
        Assert.Null(lin.Bias);
        Assert.Equal(["weight"], lin.NamedParameters().Select(x => x.Name));
    }

    [Fact]
    public void DropoutZeroesAboutPAndScalesTheRest()
    {
        var d = new Dropout(0.25, new Generator(7));
        var y = d.Forward(Tensor.Ones([100, 100])).ToDoubleArray();
        double dropped = y.Count(v => v == 0) / (double)y.Length;
        Assert.InRange(dropped, 0.23, 0.27);
        Assert.All(y.Where(v => v != 0), v => Assert.Equal(1 / 0.75, v, 6));
        Assert.InRange(y.Average(), 0.97, 1.03); // expectation preserved
    }

    [Fact]
    public void DropoutIsIdentityInEvalAndReproducibleBySeed()
    {
        var x = Tensor.Randn([8, 8], new Generator(1));
        var a = new Dropout(0.5, new Generator(3)).Forward(x).ToDoubleArray();
        var b = new Dropout(0.5, new Generator(3)).Forward(x).ToDoubleArray();
        var c = new Dropout(0.5, new Generator(4)).Forward(x).ToDoubleArray();
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        var d = new Dropout(0.5, new Generator(3));
        d.Eval();
        Assert.Same(x, d.Forward(x));
        Assert.All(new Dropout(1, new Generator(0)).Forward(x).ToDoubleArray(), v => Assert.Equal(0, v));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(1.5, new Generator(0)));
    }

    [Fact]
    public void DropoutGradientIsTheMask()
    {
        var x = Tensor.Ones([50]).RequireGrad();
        var d = new Dropout(0.5, new Generator(9));
        var y = d.Forward(x);
        y.Sum().Backward();
        Assert.Equal(y.ToDoubleArray(), x.Grad!.ToDoubleArray());
    }

    [Fact]
    public void MlpStacksLinearActivationDropout()
    {
        var mlp = new Mlp(4, [8, 6], 2, () => new GELU(), dropout: 0.1, generator: new Generator(1));
        Assert.Equal(["Linear(4->8)", "GELU", "Dropout(p=0.1)", "Linear(8->6)", "GELU", "Dropout(p=0.1)", "Linear(6->2)"],
            mlp.NamedChildren().Select(c => c.Module.TypeName));
        Assert.Equal(4 * 8 + 8 + 8 * 6 + 6 + 6 * 2 + 2, mlp.ParameterCount());
        Assert.Equal([5, 2], mlp.Forward(Tensor.Ones([5, 4])).Shape);
        Assert.Equal(4 * 3 + 3, new Mlp(4, [], 3, generator: new Generator(0)).ParameterCount()); // no hidden layer: one Linear(4->3)
        Assert.Single(new Mlp(4, [], 3, generator: new Generator(0)).NamedChildren());
    }

    [Fact]
    public void SameSeedBuildsTheSameMlp()
    {
        var a = TestUtil.Snapshot(new Mlp(5, [7], 3, generator: new Generator(11)));
        var b = TestUtil.Snapshot(new Mlp(5, [7], 3, generator: new Generator(11)));
        var c = TestUtil.Snapshot(new Mlp(5, [7], 3, generator: new Generator(12)));
        Assert.Equal(a, b);
        Assert.NotEqual(a["0.weight"], c["0.weight"]);
    }

    [Fact]
    public void ActivationsIdentityAndFlatten()
    {
        var x = Tensor.FromArray(new double[] { -2, -0.5, 0, 1.5 }, 4);
        Assert.Equal(new double[] { 0, 0, 0, 1.5 }, new ReLU().Forward(x).ToDoubleArray());
        Assert.Equal(x.Silu().ToDoubleArray(), new SiLU().Forward(x).ToDoubleArray());
        Assert.Equal(x.Gelu(GeluApproximation.Tanh).ToDoubleArray(), new GELU(GeluApproximation.Tanh).Forward(x).ToDoubleArray());
        Assert.Equal(-0.02, new LeakyReLU(0.01).Forward(x).ToDoubleArray()[0], 12);
        Assert.Same(x, new Identity().Forward(x));
        Assert.Equal([2, 60], new Flatten().Forward(Tensor.Zeros([2, 3, 4, 5])).Shape);
        Assert.Equal([2, 3, 20], new Flatten(2).Forward(Tensor.Zeros([2, 3, 4, 5])).Shape);
        Assert.Equal(0, new Sequential(new ReLU(), new Flatten()).ParameterCount());
    }
}
