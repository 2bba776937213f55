using Lfm2Vl.Engine;
using Lfm2Vl.Vision.Data;

namespace Lfm2Vl.Training.Evaluation;

/// <summary>
/// Walks a dataset in order, in batches, through deterministic (evaluation) transforms: samples of a batch are
/// decoded and transformed in parallel, tensors are created on the consuming thread on <paramref name="device"/>.
/// An unreadable image is left out with a warning in the dataset's report (as the batch loader does).
/// </summary>
internal static class DatasetBatches
{
    public static IEnumerable<EvalBatch> Enumerate(IImageDataset dataset, TransformPipeline pipeline, int batchSize, Device device, Action<DataWarning>? onWarning = null)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), "The batch size must be positive.");
        int v = pipeline.ValuesPerImage;
        var pixels = new float[batchSize * v];
        for (int start = 0; start < dataset.Count; start += batchSize)
        {
            int n = Math.Min(batchSize, dataset.Count - start);
            var labels = new int[n];
            var boxes = new BoundingBox[n][];
            var warnings = new DataWarning?[n];
            Parallel.For(0, n, i =>
            {
                int index = start + i;
                try
                {
                    var sample = dataset.Load(index);
                    var mapped = new List<BoundingBox>(sample.Boxes.Count);
                    // Evaluation transforms draw no random numbers; the generator only satisfies the signature.
                    pipeline.Apply(sample, new Generator((ulong)index), pixels.AsSpan(i * v, v), mapped);
                    labels[i] = sample.Label;
                    boxes[i] = mapped.ToArray();
                }
                catch (ImageDecodeException e)
                {
                    warnings[i] = new DataWarning(DataWarningKind.UnreadableImage, e.Path, $"Skipped unreadable image '{e.Path}': {e.Reason}");
                }
            });

            int kept = 0;
            var keptLabels = new List<int>(n);
            var keptBoxes = new List<IReadOnlyList<BoundingBox>>(n);
            for (int i = 0; i < n; i++)
            {
                if (warnings[i] is { } w)
                {
                    if (dataset.Report.Add(w)) onWarning?.Invoke(w);
                    continue;
                }
                if (kept != i) Array.Copy(pixels, i * v, pixels, kept * v, v);
                keptLabels.Add(labels[i]);
                keptBoxes.Add(boxes[i]);
                kept++;
            }
            if (kept == 0) continue;
            var images = Tensor.From<float>(pixels.AsSpan(0, kept * v), DType.Float32, [kept, 3, pipeline.OutputHeight, pipeline.OutputWidth], device);
            var labelTensor = Tensor.From<int>(keptLabels.ToArray(), DType.Int32, [kept], device);
            yield return new EvalBatch(images, labelTensor, keptBoxes);
        }
    }
}
