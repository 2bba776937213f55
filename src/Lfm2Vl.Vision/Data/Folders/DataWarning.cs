namespace Lfm2Vl.Vision.Data;

public enum DataWarningKind
{
    /// <summary>An image file could not be read or decoded and was skipped.</summary>
    UnreadableImage,
    /// <summary>A COCO image entry names a file that is not in the split.</summary>
    UnmatchedAnnotation,
    /// <summary>A COCO bare file name fits more than one image of the split.</summary>
    AmbiguousAnnotation,
    /// <summary>COCO boxes of a category that is not a class folder were dropped.</summary>
    UnknownCategory,
    /// <summary>COCO annotations that are malformed (bad bbox, unknown image id) were dropped.</summary>
    InvalidAnnotation,
    /// <summary>A class has no usable images in this split.</summary>
    EmptyClass,
}

/// <summary>Something the data layer skipped or dropped; <see cref="Path"/> names the file concerned.</summary>
public sealed record DataWarning(DataWarningKind Kind, string Path, string Message)
{
    public override string ToString() => $"{Kind}: {Message}";
}
