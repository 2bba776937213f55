using Lfm2Vl.Deploy.Graph;
using Lfm2Vl.Deploy.Inference;
using Lfm2Vl.Deploy.Kernels;
using Lfm2Vl.Deploy.Quantization;
using Lfm2Vl.Engine;
using Lfm2Vl.Vision.Models;

namespace Lfm2Vl.Deploy;

/// <summary>An optimized model and what the optimization changed.</summary>
public sealed record OptimizationResult(IInferenceModel Model, OptimizationReport Report);

/// <summary>
/// The library side of <c>lfm2vl optimize</c>: folds BatchNorm, fuses bias and ReLU, and for
/// <see cref="OptimizationTarget.Mobile"/> quantizes the convolutions to int8 (per-channel symmetric weights,
/// activation ranges calibrated on sample images), then reports size, accuracy and latency before and after.
/// ViTs take the server target only (the compiled float32 ViT).
/// </summary>
public static class ModelOptimizer
{
    /// <summary>
    /// The int8 model: convs quantized with ranges chosen on <paramref name="calibrationImages"/> (and their biases
    /// corrected there), the head's linear layers stored as int8 weights (computed in float); see <see cref="QuantizationOptions"/>.
    /// </summary>
    public static InferenceModel Quantize(Lfm2VlModel model, IEnumerable<Tensor> calibrationImages, QuantizationOptions? options = null)
    {
        options ??= new QuantizationOptions();
        var graph = CnnLowering.Lower(model);
        var batches = calibrationImages as IReadOnlyList<Tensor> ?? calibrationImages.ToList();
        var ranges = ActivationCalibrator.Calibrate(graph, batches, options.Calibration);
        var shifts = options.BiasCorrection ? BiasCorrection.Measure(graph, batches, ranges, options.UseVnni) : null;
        var first = graph.Convolutions.First();
        ConvExecutor Executor(ConvNode node)
        {
            if (options.FloatFirstConv && node == first) return new FloatConvExecutor(node);
            var corrected = shifts is null ? node : BiasCorrection.Apply(node, shifts[node]);
            return new Int8ConvExecutor(corrected, ranges[node], options.UseVnni);
        }
        return new InferenceModel(graph, Executor, "int8", int8Linears: !options.FloatHead);
    }

    /// <summary>The int8 model with the first version's recipe (min/max ranges, no bias correction) or the defaults.</summary>
    public static InferenceModel Quantize(Lfm2VlModel model, IEnumerable<Tensor> calibrationImages, bool useVnni) =>
        Quantize(model, calibrationImages, new QuantizationOptions { UseVnni = useVnni });

    public static OptimizationResult Optimize(Lfm2VlModel model, OptimizationTarget target, IReadOnlyList<Tensor> calibrationImages,
        OptimizationOptions? options = null)
    {
        options ??= new OptimizationOptions();
        bool vit = model.Backbone is VitBackbone;
        if (!vit && !CnnLowering.CanLower(model))
            throw new NotSupportedException($"{model.Config.Name}: optimize supports the CNN backbones (small, resnet18) and the ViTs.");
        if (vit && target == OptimizationTarget.Mobile)
            throw new NotSupportedException($"{model.Config.Name}: int8 is implemented for the CNNs only; use --target server (the compiled float32 ViT).");
        model.Eval();
        IInferenceModel optimized = target == OptimizationTarget.Mobile
            ? Quantize(model, calibrationImages, options.Quantization with { UseVnni = options.UseVnni })
            : InferenceCompiler.Compile(model);

        Tensor Eager(Tensor x)
        {
            using var noGrad = GradMode.NoGrad();
            using var scope = TensorScope.Begin();
            return model.Forward(x).Logits.Clone().Persist();
        }

        long bytesBefore = 4L * (model.ParameterCount() + model.NamedBuffers().Sum(b => (long)b.Buffer.Numel));
        var report = new OptimizationReport
        {
            Model = model.Config.Name,
            Target = target,
            Precision = optimized.Precision,
            BytesBefore = bytesBefore,
            BytesAfter = optimized.WeightBytes,
            CalibrationImages = target == OptimizationTarget.Mobile ? calibrationImages.Sum(t => t.Size(0)) : 0,
            Vnni = options.UseVnni && Int8DirectConv.VnniAvailable,
            Recipe = target == OptimizationTarget.Mobile ? options.Quantization.Describe() : null,
        };
        var evalBatches = options.Validation?.Select(v => v.Images).ToList() ?? calibrationImages.ToList();
        var comparison = Compare(Eager, optimized.Predict, evalBatches, options.Validation?.Select(v => v.Labels).ToList());
        report = report with
        {
            AccuracyBefore = comparison.AccuracyBefore,
            AccuracyAfter = comparison.AccuracyAfter,
            Top1Agreement = comparison.Agreement,
            MaxLogitDifference = comparison.MaxDiff,
        };
        if (options.MeasureLatency)
        {
            int size = model.Config.InputSize;
            report = report with
            {
                LatencyBefore = LatencyMeter.Measure(Eager, 1, size),
                LatencyAfter = LatencyMeter.Measure(optimized.Predict, 1, size),
                ThroughputBefore = LatencyMeter.Measure(Eager, options.ThroughputBatch, size, warmup: 1, minRuns: 3),
                ThroughputAfter = LatencyMeter.Measure(optimized.Predict, options.ThroughputBatch, size, warmup: 1, minRuns: 3),
            };
        }
        return new OptimizationResult(optimized, report);
    }

    /// <summary>Top-1 accuracy of logits against labels.</summary>
    public static double Accuracy(float[] logits, int classes, IReadOnlyList<int> labels)
    {
        int correct = 0;
        for (int i = 0; i < labels.Count; i++) correct += ArgMax(logits.AsSpan(i * classes, classes)) == labels[i] ? 1 : 0;
        return labels.Count == 0 ? 0 : (double)correct / labels.Count;
    }

    internal static int ArgMax(ReadOnlySpan<float> row)
    {
        int best = 0;
        for (int i = 1; i < row.Length; i++) if (row[i] > row[best]) best = i;
        return best;
    }

    private static (double? AccuracyBefore, double? AccuracyAfter, double Agreement, double MaxDiff) Compare(
        Func<Tensor, Tensor> before, Func<Tensor, Tensor> after, List<Tensor> batches, List<int[]>? labels)
    {
        int correctBefore = 0, correctAfter = 0, agree = 0, total = 0;
        double maxDiff = 0;
        for (int b = 0; b < batches.Count; b++)
        {
            using var y0 = before(batches[b]);
            using var y1 = after(batches[b]);
            float[] l0 = y0.ToFloatArray(), l1 = y1.ToFloatArray();
            int n = y0.Size(0), c = y0.Size(1);
            for (int i = 0; i < n; i++)
            {
                int p0 = ArgMax(l0.AsSpan(i * c, c)), p1 = ArgMax(l1.AsSpan(i * c, c));
                agree += p0 == p1 ? 1 : 0;
                if (labels is not null)
                {
                    correctBefore += p0 == labels[b][i] ? 1 : 0;
                    correctAfter += p1 == labels[b][i] ? 1 : 0;
                }
            }
            for (int i = 0; i < l0.Length; i++) maxDiff = Math.Max(maxDiff, Math.Abs(l0[i] - l1[i]));
            total += n;
        }
        double? acc0 = labels is null ? null : (double)correctBefore / total;
        double? acc1 = labels is null ? null : (double)correctAfter / total;
        return (acc0, acc1, total == 0 ? 1 : (double)agree / total, maxDiff);
    }
}
