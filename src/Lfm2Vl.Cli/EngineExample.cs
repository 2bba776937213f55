using Lfm2Vl.Engine;

namespace Lfm2Vl.Cli;

/// <summary>
/// A self-contained engine example: a small convolutional network learns to tell three generated stripe
/// patterns apart, with plain SGD written against the tensor API. Its loss falls and its held-out accuracy
/// rises; everything printed is measured.
/// </summary>
internal static class EngineExample
{
    private const int Size = 16, Classes = 3;

    public static int Run(int epochs = 8, ulong seed = 1)
    {
        var gen = new Generator(seed);
        var (trainX, trainY) = MakeData(480, gen);
        var (testX, testY) = MakeData(150, gen);

        // conv(1->8, 3x3) -> relu -> maxpool 2 -> conv(8->16, 3x3) -> relu -> global average -> linear(16->3)
        var w1 = (Tensor.Randn([8, 1, 3, 3], gen) * Math.Sqrt(2.0 / 9)).Persist().RequireGrad();
        var b1 = Tensor.Zeros([8]).RequireGrad();
        var w2 = (Tensor.Randn([16, 8, 3, 3], gen) * Math.Sqrt(2.0 / 72)).Persist().RequireGrad();
        var b2 = Tensor.Zeros([16]).RequireGrad();
        var w3 = (Tensor.Randn([16, Classes], gen) * Math.Sqrt(1.0 / 16)).Persist().RequireGrad();
        var b3 = Tensor.Zeros([Classes]).RequireGrad();
        Tensor[] parameters = [w1, b1, w2, b2, w3, b3];
        var velocity = parameters.Select(p => Tensor.ZerosLike(p)).ToArray();

        Tensor Forward(Tensor x)
        {
            var h = Functional.Conv2d(x, w1, b1, padding: 1).Relu();
            h = Functional.MaxPool2d(h, 2);
            h = Functional.Conv2d(h, w2, b2, padding: 1).Relu();
            return Tensor.MatMul(Functional.GlobalAvgPool2d(h), w3) + b3;
        }

        Console.WriteLine($"Engine example: {Classes}-class stripe patterns, {Size}x{Size} images, {trainY.Length} train / {testY.Length} held-out");
        const int batch = 32;
        const double lr = 0.1, momentum = 0.9;
        var order = Enumerable.Range(0, trainY.Length).ToArray();
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            gen.Shuffle(order.AsSpan());
            double lossSum = 0; int batches = 0;
            for (int start = 0; start < order.Length; start += batch)
            {
                using var scope = TensorScope.Begin();
                var idx = order.Skip(start).Take(batch).ToArray();
                var (x, y) = Batch(trainX, trainY, idx);
                var loss = Functional.CrossEntropy(Forward(x), y);
                foreach (var p in parameters) p.ZeroGrad();
                loss.Backward();
                using (GradMode.NoGrad())
                {
                    for (int i = 0; i < parameters.Length; i++)
                    {
                        velocity[i].MulInPlace(momentum).AddInPlace(parameters[i].Grad!);
                        parameters[i].AddInPlace(velocity[i], -lr);
                    }
                }
                lossSum += loss.Item(); batches++;
            }
            Console.WriteLine($"epoch {epoch,2}  train loss {lossSum / batches:F4}  held-out accuracy {Accuracy(Forward, testX, testY):P1}");
        }
        return 0;
    }

    private static double Accuracy(Func<Tensor, Tensor> forward, float[][] xs, int[] ys)
    {
        using var scope = TensorScope.Begin();
        using var noGrad = GradMode.NoGrad();
        var (x, _) = Batch(xs, ys, Enumerable.Range(0, ys.Length).ToArray());
        var pred = forward(x).ArgMax(1).ToArray<int>();
        return pred.Zip(ys).Count(p => p.First == p.Second) / (double)ys.Length;
    }

    private static (Tensor X, Tensor Y) Batch(float[][] xs, int[] ys, int[] idx)
    {
        var data = new float[idx.Length * Size * Size];
        for (int i = 0; i < idx.Length; i++) xs[idx[i]].CopyTo(data, i * Size * Size);
        return (Tensor.FromArray(data, idx.Length, 1, Size, Size), Tensor.FromArray(idx.Select(i => ys[i]).ToArray(), idx.Length));
    }

    /// <summary>Horizontal stripes, vertical stripes or a checkerboard, with random phase, period and noise.</summary>
    private static (float[][] X, int[] Y) MakeData(int n, Generator gen)
    {
        var xs = new float[n][]; var ys = new int[n];
        for (int i = 0; i < n; i++)
        {
            int label = gen.NextInt(Classes), period = 2 + gen.NextInt(3), phase = gen.NextInt(period);
            var img = new float[Size * Size];
            for (int r = 0; r < Size; r++)
                for (int c = 0; c < Size; c++)
                {
                    bool on = label switch
                    {
                        0 => (r + phase) / period % 2 == 0,
                        1 => (c + phase) / period % 2 == 0,
                        _ => ((r + phase) / period + (c + phase) / period) % 2 == 0,
                    };
                    img[r * Size + c] = (on ? 1f : -1f) + (float)(0.6 * gen.NextNormal());
                }
            xs[i] = img; ys[i] = label;
        }
        return (xs, ys);
    }
}
