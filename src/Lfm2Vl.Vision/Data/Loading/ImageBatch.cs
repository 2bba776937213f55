using Lfm2Vl.Engine;

namespace Lfm2Vl.Vision.Data;

/// <summary>
/// One batch: images [N, 3, H, W] float32, labels [N] int32 and each image's boxes (pixel x1,y1,x2,y2 in
/// the H x W input). The tensors are created on the consuming thread, so a TensorScope open there owns
/// them; otherwise dispose the batch (disposing twice is harmless).
/// </summary>
public sealed class ImageBatch : IDisposable
{
    internal ImageBatch(int epoch, int batchIndex, Tensor images, Tensor labels, IReadOnlyList<IReadOnlyList<BoundingBox>> boxes, int[] indices)
    {
        Epoch = epoch;
        BatchIndex = batchIndex;
        Images = images;
        Labels = labels;
        Boxes = boxes;
        Indices = indices;
    }

    public int Epoch { get; }
    public int BatchIndex { get; }
    public Tensor Images { get; }
    public Tensor Labels { get; }
    public IReadOnlyList<IReadOnlyList<BoundingBox>> Boxes { get; }

    /// <summary>Dataset indices of the images, in batch order.</summary>
    public IReadOnlyList<int> Indices { get; }

    public int Count => Indices.Count;

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
