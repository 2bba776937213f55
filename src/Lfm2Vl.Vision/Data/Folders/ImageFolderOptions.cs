namespace Lfm2Vl.Vision.Data;

/// <summary>How much of each image file is checked while a folder is scanned.</summary>
public enum ImageCheck
{
    /// <summary>Only the extension: broken files are found when they are loaded.</summary>
    None,
    /// <summary>The header (size and format), which catches empty and non-image files quickly.</summary>
    Header,
    /// <summary>A full decode, which also catches truncated and corrupt data (slower: every image is decoded once).</summary>
    Decode,
}

public sealed record ImageFolderOptions
{
    /// <summary>Stop with an <see cref="ImageDecodeException"/> naming the first unreadable image instead of skipping it.</summary>
    public bool Strict { get; init; }

    public ImageCheck Check { get; init; } = ImageCheck.Header;

    /// <summary>Read <c>annotations/instances_&lt;split&gt;.json</c> when it exists.</summary>
    public bool LoadAnnotations { get; init; } = true;

    /// <summary>Called (on the scanning thread) for every warning as it is added to the report.</summary>
    public Action<DataWarning>? OnWarning { get; init; }

    /// <summary>Threads used to check files while scanning (default: processor count).</summary>
    public int? MaxDegreeOfParallelism { get; init; }
}
