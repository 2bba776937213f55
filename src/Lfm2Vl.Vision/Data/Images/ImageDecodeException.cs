namespace Lfm2Vl.Vision.Data;

/// <summary>An image file that could not be read or decoded; <see cref="Path"/> names it.</summary>
public sealed class ImageDecodeException : Exception
{
    public ImageDecodeException(string path, string reason, Exception? inner = null)
        : base($"Cannot read image '{path}': {reason}", inner)
    {
        Path = path;
        Reason = reason;
    }

    public string Path { get; }
    public string Reason { get; }
}
