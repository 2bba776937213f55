using Lfm2Vl.Engine;
using Lfm2Vl.Nn.Optim;
using Lfm2Vl.Vision.Data;
using Lfm2Vl.Vision.Models;
using Xunit;
using Xunit.Abstractions;

namespace Lfm2Vl.Deploy.Tests;

/// <summary>The accuracy bar of the deployment issue: int8 loses at most 1 point on a seeded synthetic task.</summary>
public class QuantizedAccuracyTests(ITestOutputHelper output)
{
    [Fact]
    public void Int8SmallCnnLosesAtMostOnePoint()
    {
        string root = Path.Combine(Path.GetTempPath(), $"lfm2vl-quant-{Guid.NewGuid():N}");
        try
        {
            SyntheticDatasetWriter.Write(root, new SyntheticDatasetOptions
            {
                ImageWidth = 32, ImageHeight = 32, TrainPerClass = 60, ValPerClass = 40, TestPerClass = 0,
                Formats = [ImageFileFormat.Png], WriteAnnotations = false, Seed = 7,
            });
            var (trainX, trainY) = Load(root, DatasetSplit.Train);
            var (valX, valY) = Load(root, DatasetSplit.Val);
            var model = ModelRegistry.Create(new ModelConfig { Backbone = "cnn", Variant = "small", InputSize = 32, NumClasses = 5, Seed = 1, Dropout = 0 });
            Train(model, trainX, trainY, epochs: 8, batch: 25, seed: 3);
            model.Eval();

            var calibration = Batches(trainX, 50).Take(2).ToList();
            var validation = Batches(valX, 50).Select((b, i) => (b, valY.Skip(i * 50).Take(b.Size(0)).ToArray())).ToList();
            var result = ModelOptimizer.Optimize(model, OptimizationTarget.Mobile, calibration,
                new OptimizationOptions { Validation = validation, MeasureLatency = false });
            var r = result.Report;
            output.WriteLine(r.ToText());
            Assert.True(r.AccuracyBefore > 0.3, $"the float model did not learn (accuracy {r.AccuracyBefore:P1}); the comparison would say nothing");
            Assert.True(r.AccuracyAfter >= r.AccuracyBefore - 0.01, r.ToText());
            // Weights shrink 4x (one byte each plus a float scale and bias per output); BatchNorm disappears.
            Assert.True(r.BytesAfter * 3.8 < r.BytesBefore, r.ToText());
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }

    private static (Tensor X, int[] Y) Load(string root, DatasetSplit split)
    {
        var ds = ImageFolderDataset.Load(root, split);
        var pixels = new float[ds.Count * 3 * 32 * 32];
        var labels = new int[ds.Count];
        for (int i = 0; i < ds.Count; i++)
        {
            var image = ImageDecoder.DecodeFile(ds.Samples[i].Path);
            ToTensor.Into(image, pixels.AsSpan(i * 3 * 32 * 32, 3 * 32 * 32), Normalize.ImageNet);
            labels[i] = ds.Samples[i].Label;
        }
        return (Tensor.FromArray(pixels, ds.Count, 3, 32, 32).Persist(), labels);
    }

    private static IEnumerable<Tensor> Batches(Tensor x, int size)
    {
        for (int i = 0; i < x.Size(0); i += size)
        {
            using var noGrad = GradMode.NoGrad();
            yield return x.Narrow(0, i, Math.Min(size, x.Size(0) - i)).Contiguous().Persist();
        }
    }

    private static void Train(Lfm2VlModel model, Tensor x, int[] y, int epochs, int batch, ulong seed)
    {
        model.Train();
        var opt = new Adam(model.Parameters(), lr: 3e-3);
        var gen = new Generator(seed);
        int n = x.Size(0);
        for (int e = 0; e < epochs; e++)
        {
            var order = Enumerable.Range(0, n).OrderBy(_ => gen.NextDouble()).ToArray();
            for (int i = 0; i + batch <= n; i += batch)
            {
                using var scope = TensorScope.Begin();
                var idx = order.AsSpan(i, batch).ToArray();
                var xb = Tensor.Stack(idx.Select(j => x.Select(0, j)).ToArray(), 0);
                var yb = Tensor.FromArray(idx.Select(j => y[j]).ToArray(), batch);
                opt.ZeroGrad();
                var loss = Functional.CrossEntropy(model.Forward(xb).Logits, yb);
                loss.Backward();
                opt.Step();
            }
        }
    }
}
