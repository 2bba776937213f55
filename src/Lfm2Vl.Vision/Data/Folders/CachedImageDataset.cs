namespace Lfm2Vl.Vision.Data;

/// <summary>
/// Keeps each decoded image after its first load, so later epochs skip file reading and decoding. Images
/// are shared read-only (transforms never modify their input). Memory: about width*height*3 bytes per image.
/// An image that failed to decode is remembered too, and fails again without touching the file.
/// </summary>
public sealed class CachedImageDataset : IImageDataset
{
    private readonly IImageDataset _inner;
    private readonly object?[] _slots; // LabeledImage or ImageDecodeException

    public CachedImageDataset(IImageDataset inner)
    {
        _inner = inner;
        _slots = new object?[inner.Count];
    }

    public int Count => _inner.Count;
    public IReadOnlyList<string> ClassNames => _inner.ClassNames;
    public DatasetReport Report => _inner.Report;
    public int LabelOf(int index) => _inner.LabelOf(index);
    public string NameOf(int index) => _inner.NameOf(index);

    /// <summary>Images decoded so far.</summary>
    public int CachedCount => _slots.Count(s => s is LabeledImage);

    public LabeledImage Load(int index)
    {
        switch (Volatile.Read(ref _slots[index]))
        {
            case LabeledImage hit: return hit;
            case ImageDecodeException failed: throw new ImageDecodeException(failed.Path, failed.Reason, failed);
        }
        try
        {
            var item = _inner.Load(index);
            Volatile.Write(ref _slots[index], item);
            return item;
        }
        catch (ImageDecodeException e)
        {
            Volatile.Write(ref _slots[index], e);
            throw;
        }
    }
}
