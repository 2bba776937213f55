namespace Lfm2Vl.Engine;

// Re-homing a tensor's data on another device in place: how a module moves its parameters and buffers, whose
// tensor objects are held by optimizers, state dicts and layers and so must stay the same objects.
public sealed partial class Tensor
{
    /// <summary>
    /// Replaces this tensor's storage with a copy on <paramref name="device"/>, keeping the tensor object (so every
    /// holder sees the moved data). Only for a leaf that owns its whole contiguous storage alone (a parameter or a
    /// module buffer): a view or a shared storage would leave the other views behind. The gradient is released
    /// (it would be on the old device). Not recorded in the graph. Returns this tensor.
    /// </summary>
    public Tensor MoveStorageTo(Device device)
    {
        ThrowIfDisposed();
        if (device == Device) return this;
        if (!IsLeaf)
            throw new InvalidOperationException("MoveStorageTo moves leaf tensors (parameters, buffers); this one is the output of an op. Use To(device) for a copy.");
        if (!IsContiguous || Offset != 0 || Storage.Length != Numel)
            throw new InvalidOperationException($"MoveStorageTo needs a tensor that spans its whole storage contiguously; this {ShapeUtil.Format(_shape)} tensor is a view. Use To(device) for a copy.");
        if (Storage.RefCount != 1)
            throw new InvalidOperationException($"MoveStorageTo: the storage of this {ShapeUtil.Format(_shape)} tensor is shared with {Storage.RefCount - 1} other tensor(s) (views or detached handles), which would be left on {Device}. Dispose them first, or use To(device) for a copy.");
        var target = BackendRegistry.Get(device);
        var moved = target.Allocate(DType, Numel);
        try
        {
            switch (DType)
            {
                case DType.Float32: { var h = new float[Numel]; Backend.Download<float>(Storage, h); target.Upload<float>(h, moved); break; }
                case DType.Float64: { var h = new double[Numel]; Backend.Download<double>(Storage, h); target.Upload<double>(h, moved); break; }
                default: { var h = new int[Numel]; Backend.Download<int>(Storage, h); target.Upload<int>(h, moved); break; }
            }
        }
        catch
        {
            moved.Release();
            throw;
        }
        var old = Storage;
        Storage = moved;
        Offset = 0;
        old.Release();
        ZeroGrad();
        return this;
    }
}
