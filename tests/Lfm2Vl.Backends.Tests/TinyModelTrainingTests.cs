namespace Lfm2Vl.Backends.Tests;

/// <summary>
/// End to end on the ILGPU CPU simulator: a tiny CNN (conv, ReLU, max-pool, linear, cross-entropy) trains a few
/// SGD steps from the same initial weights as on the CPU backend; losses and gradients must match.
/// </summary>
[Collection(IlgpuCpuCollection.Name)]
public sealed class TinyModelTrainingTests
{
    private sealed record Run(double[] Losses, double[][] Grads);

    private static Run Train(Device d, int steps)
    {
        var gen = new Generator(2024);
        Tensor Param(params int[] shape) => (Tensor.Randn(shape, gen) * 0.3).To(d).RequireGrad();
        var w1 = Param(4, 1, 3, 3);
        var b1 = Param(4);
        var w2 = Param(4 * 4 * 4, 3);
        var b2 = Param(3);
        Tensor[] ps = [w1, b1, w2, b2];
        var x = Tensor.Randn([6, 1, 8, 8], new Generator(7)).To(d);
        var y = Tensor.FromArray([0, 2, 1, 1, 0, 2], 6).To(d);
        var losses = new List<double>();
        double[][] grads = [];
        for (int s = 0; s < steps; s++)
        {
            using var scope = TensorScope.Begin();
            var h = Functional.MaxPool2d(Functional.Conv2d(x, w1, b1, padding: 1).Relu(), 2);
            var logits = Tensor.MatMul(h.Flatten(1), w2) + b2;
            var loss = Functional.CrossEntropy(logits, y);
            loss.Backward();
            losses.Add(loss.Item());
            grads = ps.Select(p => p.Grad!.To(Device.Cpu).ToDoubleArray()).ToArray();
            using (GradMode.NoGrad())
                foreach (var p in ps) p.AddInPlace(p.Grad!, -0.5);
            foreach (var p in ps) p.ZeroGrad();
        }
        return new Run([.. losses], grads);
    }

    [SkippableFact]
    public void A_tiny_cnn_trains_on_ilgpu_cpu_exactly_like_on_the_cpu_backend()
    {
        var d = BackendTarget.IlgpuCpu.Require();
        var reference = Train(Device.Cpu, 4);
        var actual = Train(d, 4);
        Compare.Close("loss per step", reference.Losses, actual.Losses, 1e-5, 1e-4);
        for (int i = 0; i < reference.Grads.Length; i++)
            Compare.Close($"last-step gradient of parameter {i}", reference.Grads[i], actual.Grads[i], 1e-5, 1e-3);
        // It learns: the loss goes down over the steps.
        Assert.True(actual.Losses[^1] < actual.Losses[0], $"loss did not decrease: {string.Join(", ", actual.Losses)}");
    }
}
