namespace Lfm2Vl.Vision.Data;

/// <summary>
/// An indexed set of labelled images. <see cref="Load"/> is called from loader worker threads, so it must
/// be thread-safe; it throws <see cref="ImageDecodeException"/> for an image that cannot be read.
/// </summary>
public interface IImageDataset
{
    int Count { get; }

    /// <summary>Class names in label order (label i is ClassNames[i]).</summary>
    IReadOnlyList<string> ClassNames { get; }

    int LabelOf(int index);

    /// <summary>A name for messages (the file path for files).</summary>
    string NameOf(int index);

    LabeledImage Load(int index);

    /// <summary>Counts and warnings, which loading adds to.</summary>
    DatasetReport Report { get; }
}
