namespace Lfm2Vl.Vision.Data;

/// <summary>
/// One image file of an image-folder split. <see cref="Boxes"/> are in the pixel coordinates of the
/// annotated size (<see cref="AnnotatedWidth"/> x <see cref="AnnotatedHeight"/>), rescaled on load if the
/// file's real size differs; an empty list means a classification-only sample.
/// </summary>
public sealed record ImageSample(
    string Path,
    string RelativePath,
    int Label,
    IReadOnlyList<BoundingBox> Boxes,
    int? AnnotatedWidth = null,
    int? AnnotatedHeight = null);

/// <summary>A decoded image with its class label and boxes (pixel coordinates of this image).</summary>
public sealed record LabeledImage(ImageRgb Image, int Label, IReadOnlyList<BoundingBox> Boxes);
