using Lfm2Vl.Engine;

namespace Lfm2Vl.Vision.Data;

/// <summary>
/// One step of an augmentation pipeline. It returns the transformed image and rewrites
/// <paramref name="boxes"/> (pixel x1,y1,x2,y2 of the input) into the returned image's coordinates,
/// clipped, dropping boxes under one pixel. It may change <paramref name="image"/> in place only when
/// <paramref name="owned"/> is true (the pipeline made it); otherwise it returns a new image, or the same
/// one unchanged. All randomness comes from <paramref name="rng"/>, so a sample's seed fixes its result.
/// </summary>
public interface IImageTransform
{
    ImageRgb Apply(ImageRgb image, List<BoundingBox> boxes, Generator rng, bool owned);
}
