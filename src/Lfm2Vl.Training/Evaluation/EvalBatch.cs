using Lfm2Vl.Engine;
using Lfm2Vl.Vision.Data;

namespace Lfm2Vl.Training.Evaluation;

/// <summary>
/// One batch to evaluate: images [N, 3, H, W], int32 labels [N] and each image's boxes in the H x W input's
/// pixels (empty lists for classification-only data). The evaluator disposes the tensors after use. From an
/// ImageBatchLoader: <c>loader.Epoch(0).Select(b => new EvalBatch(b.Images, b.Labels, b.Boxes))</c>.
/// </summary>
public sealed record EvalBatch(Tensor Images, Tensor Labels, IReadOnlyList<IReadOnlyList<BoundingBox>> Boxes) : IDisposable
{
    public int Count => Labels.Size(0);

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
