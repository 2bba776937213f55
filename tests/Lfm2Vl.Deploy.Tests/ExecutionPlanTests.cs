using Lfm2Vl.Deploy.Graph;
using Lfm2Vl.Deploy.Inference;
using Lfm2Vl.Engine;
using Xunit;

namespace Lfm2Vl.Deploy.Tests;

/// <summary>The workspace planner, and predictions through reused workspaces (shapes, threads, strided inputs).</summary>
public class ExecutionPlanTests
{
    [Theory]
    [InlineData("resnet18", 224, 1)]
    [InlineData("resnet18", 64, 3)]
    [InlineData("small", 64, 2)]
    [InlineData("small", 33, 1)]
    public void ValuesAliveAtTheSameTimeNeverShareMemory(string variant, int size, int batch)
    {
        var plan = new ExecutionPlan(CnnLowering.Lower(TestModels.Create("cnn", variant, 64)));
        var shapes = plan.Shapes(batch, size, size);
        var (offsets, length) = plan.Layout(shapes);
        var defined = new int[plan.SlotCount];
        for (int i = 0; i < plan.Nodes.Length; i++) defined[plan.Outputs[i]] = i;
        long Numel(int slot) => shapes[slot].Aggregate(1L, (a, d) => a * d);
        long total = 0;
        for (int a = 1; a < plan.SlotCount; a++)
        {
            total += Numel(a);
            Assert.InRange(offsets[a] + Numel(a), 0, length);
            for (int b = a + 1; b < plan.SlotCount; b++)
            {
                bool bothAlive = defined[a] <= plan.LastUse[b] && defined[b] <= plan.LastUse[a]
                    && plan.InPlace(defined[b]) != a; // a residual add may overwrite its dying first input
                bool overlap = offsets[a] < offsets[b] + Numel(b) && offsets[b] < offsets[a] + Numel(a);
                Assert.False(bothAlive && overlap, $"{plan.Nodes[defined[a]].Output} and {plan.Nodes[defined[b]].Output} overlap while both are alive");
            }
        }
        Assert.True(length < total, $"the workspace ({length} floats) should reuse memory (all values: {total})");
        int inPlace = Enumerable.Range(0, plan.Nodes.Length).Count(i => plan.InPlace(i) is int s && offsets[s] == offsets[plan.Outputs[i]]);
        Assert.Equal(variant == "resnet18" ? 8 : 0, inPlace);
    }

    [Fact]
    public void AlternatingShapesGiveTheSameLogitsAsAFreshModel()
    {
        var model = TestModels.Create("cnn", "resnet18", 64);
        var reused = InferenceCompiler.CompileFloat(model);
        var cases = new[] { (1, 64), (3, 64), (1, 48), (3, 64), (1, 64), (2, 40), (1, 48) };
        foreach (var (batch, size) in cases)
        {
            using var images = TestModels.Images(batch, size, (ulong)(batch * 100 + size));
            using var expected = InferenceCompiler.CompileFloat(model).Predict(images);
            using var actual = reused.Predict(images);
            Assert.Equal([batch, 7], actual.Shape);
            Assert.Equal(expected.ToFloatArray(), actual.ToFloatArray());
        }
    }

    [Fact]
    public void ConcurrentPredictionsMatchSequentialOnes()
    {
        var model = TestModels.Create("cnn", "small", 32);
        var compiled = InferenceCompiler.CompileFloat(model);
        var inputs = Enumerable.Range(0, 4).Select(i => TestModels.Images(1 + i % 2, 32, (ulong)(50 + i))).ToArray();
        var expected = inputs.Select(x => { using var y = compiled.Predict(x); return y.ToFloatArray(); }).ToArray();
        var failures = new int[inputs.Length];
        var threads = inputs.Select((x, i) => new Thread(() =>
        {
            for (int r = 0; r < 20; r++)
            {
                using var y = compiled.Predict(x);
                if (!y.ToFloatArray().SequenceEqual(expected[i])) Interlocked.Increment(ref failures[i]);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        Assert.All(threads, t => Assert.True(t.Join(TimeSpan.FromSeconds(60)), "a prediction thread did not finish"));
        Assert.All(failures, f => Assert.Equal(0, f));
        foreach (var x in inputs) x.Dispose();
    }

    [Fact]
    public void StridedImagesGiveTheSameLogitsAsContiguousOnes()
    {
        var compiled = InferenceCompiler.CompileFloat(TestModels.Create("cnn", "small", 32));
        using var images = TestModels.Images(2, 32, 9);
        using var expected = compiled.Predict(images);
        using (GradMode.NoGrad())
        using (var scope = TensorScope.Begin())
        {
            var strided = images.Transpose(2, 3).Contiguous().Transpose(2, 3); // same values, non-contiguous
            Assert.False(strided.IsContiguous);
            using var actual = compiled.Predict(strided);
            Assert.Equal(expected.ToFloatArray(), actual.ToFloatArray());
        }
    }

    [Fact]
    public void WrongChannelCountsAreRejected()
    {
        var compiled = InferenceCompiler.CompileFloat(TestModels.Create("cnn", "small", 32));
        using var images = Tensor.Randn([1, 4, 32, 32], new Generator(1)).Persist();
        Assert.Throws<ArgumentException>(() => compiled.Predict(images));
    }
}
