using Lfm2Vl.Deploy;
using Lfm2Vl.Deploy.Quantization;
using Lfm2Vl.Engine;
using Lfm2Vl.Training;
using Lfm2Vl.Training.Checkpoints;
using Lfm2Vl.Vision.Data;

/// <summary>
/// Accuracy of int8 recipes on a trained checkpoint's validation split (what `lfm2vl optimize --target mobile`
/// reports, without the latency runs): which calibration and which float layers keep the model within the bar.
/// </summary>
internal static class QuantSweep
{
    public static void Run(string checkpoint, string data, int calibrationImages, DatasetSplit split = DatasetSplit.Val)
    {
        var loaded = Checkpoint.LoadModel(checkpoint);
        var transforms = new TransformConfig { ImageSize = loaded.Metadata.Model.InputSize, Mean = loaded.Metadata.NormalizeMean, Std = loaded.Metadata.NormalizeStd }.BuildEval();
        var calibration = OptimizationData.Calibration(ImageFolderDataset.Load(data, DatasetSplit.Train), transforms, calibrationImages);
        var validation = OptimizationData.Validation(ImageFolderDataset.Load(data, split), transforms);
        var recipes = new (string Name, QuantizationOptions Options)[]
        {
            ("plain (min/max)", QuantizationOptions.Plain),
            ("mse", new QuantizationOptions { BiasCorrection = false }),
            ("minmax + bias corr", new QuantizationOptions { Calibration = CalibrationMethod.MinMax }),
            ("mse + bias corr", new QuantizationOptions()),
            ("mse + bias corr + float first", new QuantizationOptions { FloatFirstConv = true }),
            ("mse + bias corr + float first/head", new QuantizationOptions { FloatFirstConv = true, FloatHead = true }),
        };
        Console.WriteLine($"{checkpoint}: {calibration.Sum(c => c.Size(0))} calibration images, {validation.Sum(v => v.Item2.Length)} {split} images");
        foreach (var (name, options) in recipes)
        {
            var r = ModelOptimizer.Optimize(loaded.Model, OptimizationTarget.Mobile, calibration,
                new OptimizationOptions { Validation = validation, MeasureLatency = false, Quantization = options }).Report;
            Console.WriteLine($"{name,-36} acc {r.AccuracyBefore:P2} -> {r.AccuracyAfter:P2}  agreement {r.Top1Agreement:P2}  max|dlogit| {r.MaxLogitDifference:G3}  {r.BytesAfter / 1e6:F3} MB");
        }
    }
}
