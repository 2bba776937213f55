using Lfm2Vl.Engine;
using Lfm2Vl.Vision.Data;

namespace Lfm2Vl.Deploy;

/// <summary>The images an optimization reads: calibration batches from one split, validation batches with their
/// labels from another, in dataset order with the evaluation transforms. The batches outlive tensor scopes.</summary>
public static class OptimizationData
{
    /// <summary>Up to <paramref name="maxImages"/> images (whole batches of 32) for activation calibration.</summary>
    public static List<Tensor> Calibration(IImageDataset dataset, TransformPipeline transforms, int maxImages) =>
        Batches(dataset, transforms, maxImages).Select(b => b.Images).ToList();

    /// <summary>Every image with its labels, for accuracy before and after.</summary>
    public static List<(Tensor Images, int[] Labels)> Validation(IImageDataset dataset, TransformPipeline transforms) =>
        Batches(dataset, transforms, int.MaxValue).Select(b => (b.Images, b.Labels.ToArray<int>())).ToList();

    private static IEnumerable<ImageBatch> Batches(IImageDataset dataset, TransformPipeline transforms, int maxImages)
    {
        using var loader = new ImageBatchLoader(dataset, transforms, new LoaderOptions { BatchSize = 32, Shuffle = false, NumWorkers = 2 });
        int seen = 0;
        foreach (var b in loader.Epoch(0))
        {
            if (seen >= maxImages) yield break;
            b.Images.Persist(); b.Labels.Persist();
            seen += b.Count;
            yield return b;
        }
    }
}
