using Lfm2Vl.Deploy.Graph;
using Lfm2Vl.Engine;
using Xunit;

namespace Lfm2Vl.Deploy.Tests;

public class InferenceModelTests
{
    [Theory]
    [InlineData("small", 64, 3)]
    [InlineData("small", 32, 1)]
    [InlineData("resnet18", 64, 2)]
    [InlineData("resnet18", 224, 1)]
    public void FoldedModelMatchesEvalModel(string variant, int size, int batch)
    {
        var model = TestModels.Create("cnn", variant, size);
        using var images = TestModels.Images(batch, size, 11);
        var expected = TestModels.ReferenceLogits(model, images);
        TestModels.AssertInformative(expected);
        var compiled = InferenceCompiler.CompileFloat(model);
        using var logits = compiled.Predict(images);
        Assert.Equal([batch, 7], logits.Shape);
        double diff = TestModels.MaxAbsDiff(expected, logits.ToFloatArray());
        Assert.True(diff <= 1e-4, $"max |folded - eval| = {diff:E2}");
    }

    [Fact]
    public void FoldingIsExactInFloat64()
    {
        // conv -> BN in float64 equals the folded conv up to float64 rounding.
        var gen = new Generator(5);
        var conv = new Lfm2Vl.Nn.Layers.Conv2d(4, 6, 3, 1, 1, bias: true, generator: gen, dtype: DType.Float64);
        var bn = new Lfm2Vl.Nn.Layers.BatchNorm2d(6, dtype: DType.Float64);
        using (GradMode.NoGrad())
        {
            bn.RunningMean.CopyFrom(Tensor.Randn([6], gen, dtype: DType.Float64));
            bn.RunningVar.CopyFrom(Tensor.Rand([6], gen, 0.2, 3, DType.Float64));
            bn.Weight!.Data.CopyFrom(Tensor.Randn([6], gen, dtype: DType.Float64));
            bn.Bias!.Data.CopyFrom(Tensor.Randn([6], gen, dtype: DType.Float64));
        }
        bn.Eval();
        var (w, b) = BatchNormFolding.FoldDouble(conv, bn);
        using var noGrad = GradMode.NoGrad();
        using var scope = TensorScope.Begin();
        var x = Tensor.Randn([2, 4, 5, 5], gen, dtype: DType.Float64);
        var expected = bn.Forward(conv.Forward(x)).ToDoubleArray();
        var actual = Functional.Conv2d(x, Tensor.FromArray(w, 6, 4, 3, 3), Tensor.FromArray(b, 6), 1, 1).ToDoubleArray();
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-12);
    }

    [Fact]
    public void LoweredGraphHasNoBatchNormAndFusesRelu()
    {
        var model = TestModels.Create("cnn", "resnet18", 64);
        var graph = CnnLowering.Lower(model);
        Assert.Equal(20, graph.Convolutions.Count());                        // 1 stem + 16 block convs + 3 projections
        Assert.Equal(8, graph.Nodes.OfType<AddNode>().Count(a => a.Activation == Activation.Relu));
        Assert.Equal(model.ParameterCount() - BatchNormParameterCount(model), graph.ParameterCount - FoldedBiasCount(graph));
    }

    private static long BatchNormParameterCount(Vision.Models.Lfm2VlModel model) =>
        model.NamedModules().Select(m => m.Module).OfType<Nn.Layers.BatchNorm2d>().Sum(b => 2L * b.Channels);

    private static long FoldedBiasCount(InferenceGraph g) => g.Convolutions.Sum(c => (long)c.Bias.Length);

    [Fact]
    public void PredictLeavesNoTensorInOpenScopes()
    {
        var model = TestModels.Create("cnn", "small", 32);
        var compiled = InferenceCompiler.CompileFloat(model);
        using var images = TestModels.Images(2, 32, 1);
        using var outer = TensorScope.Begin();
        using (var logits = compiled.Predict(images)) Assert.False(logits.RequiresGrad);
        Assert.Equal(0, outer.Count);
    }
}

public class DenseKernelTests
{
    [Theory]
    [InlineData(0.3, 0.3286267594591112)]
    [InlineData(0.5, 0.5204998778130465)]
    [InlineData(1.0, 0.8427007929497149)]
    [InlineData(-1.5, -0.9661051464753108)]
    [InlineData(2.5, 0.9995930479825550)]
    [InlineData(4.5, 0.9999999998033839)]
    [InlineData(0.0, 0.0)]
    public void ErfMatchesReferenceValues(double x, double expected) =>
        Assert.Equal(expected, Kernels.DenseKernels.Erf(x), 1e-13);
}
