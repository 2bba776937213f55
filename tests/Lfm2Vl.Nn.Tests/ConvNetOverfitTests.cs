using Lfm2Vl.Engine;
using Lfm2Vl.Nn.Layers;
using Lfm2Vl.Nn.Modules;
using Lfm2Vl.Nn.Optim;
using Xunit;
using Xunit.Abstractions;

namespace Lfm2Vl.Nn.Tests;

/// <summary>
/// End-to-end check of the convolutional layers: a small conv net with BatchNorm and Dropout must be able to
/// memorize a tiny fixed batch. Failing to overfit 8 images means a broken forward, backward or optimizer step
/// somewhere in the stack (conv, batch norm, pooling, dropout, linear, cross-entropy, AdamW).
/// </summary>
public class ConvNetOverfitTests(ITestOutputHelper output)
{
    private const int Images = 8, Classes = 4, Side = 16;

    private static Sequential BuildNet(Generator g) => new(
        new Conv2d(1, 8, 3, padding: 1, generator: g), new BatchNorm2d(8), new ReLU(), new MaxPool2d(2),     // 8x8
        new Conv2d(8, 16, 3, padding: 1, generator: g), new BatchNorm2d(16), new ReLU(), new MaxPool2d(2),   // 4x4
        new Flatten(), new Dropout(0.2, new Generator(7)), new Linear(16 * 4 * 4, Classes, generator: g));

    [Fact]
    public void SmallConvNetOverfitsATinyBatch()
    {
        var g = new Generator(2024);
        using var x = Tensor.Randn([Images, 1, Side, Side], g);
        var labelValues = Enumerable.Range(0, Images).Select(i => i % Classes).ToArray();
        using var labels = Tensor.FromArray(labelValues, Images);
        var net = BuildNet(g);
        var optimizer = new AdamW(net.Parameters(), lr: 0.01, weightDecay: 1e-4);

        double trainLoss = double.NaN;
        for (int step = 0; step < 60; step++)
        {
            optimizer.ZeroGrad();
            using var scope = TensorScope.Begin();
            var loss = Functional.CrossEntropy(net.Forward(x), labels);
            trainLoss = loss.Item();
            loss.Backward();
            optimizer.Step();
        }

        net.Eval();
        double evalLoss;
        int[] predicted;
        using (TensorScope.Begin())
        using (GradMode.NoGrad())
        {
            var logits = net.Forward(x);
            evalLoss = Functional.CrossEntropy(logits, labels).Item();
            predicted = logits.ArgMax(1).ToArray<int>();
        }
        output.WriteLine($"final training loss {trainLoss:G4}, eval loss {evalLoss:G4}, predictions [{string.Join(",", predicted)}]");

        Assert.True(trainLoss < 0.05, $"training loss {trainLoss:G4} after 60 steps, expected < 0.05");
        Assert.True(evalLoss < 0.05, $"eval-mode loss {evalLoss:G4}, expected < 0.05");
        Assert.Equal(labelValues, predicted);
    }
}
