using Lfm2Vl.Vision.Data;
using StbImageSharp;

namespace Lfm2Vl.Server;

/// <summary>
/// Turns uploaded bytes into an image or a 4xx: the pixel count is read from the header before decoding (so a
/// small file that claims a huge image is refused without allocating it); undecodable or truncated data is 422.
/// </summary>
internal sealed class ImageValidator(ServerOptions options)
{
    public ImageRgb Decode(Upload upload)
    {
        ImageInfo? info;
        try
        {
            using var stream = new MemoryStream(upload.Bytes, writable: false);
            info = ImageInfo.FromStream(stream);
        }
        catch (Exception)
        {
            info = null;
        }
        if (info is not { } i || i.Width <= 0 || i.Height <= 0)
            throw new ApiException(422, $"'{upload.Name}' is not an image (no PNG, JPEG, BMP or other known header).");
        long pixels = (long)i.Width * i.Height;
        if (pixels > options.MaxImagePixels)
            throw new ApiException(422, $"'{upload.Name}' is {i.Width}x{i.Height} = {pixels} pixels; the limit is {options.MaxImagePixels} pixels.");
        try
        {
            return ImageDecoder.Decode(upload.Bytes, upload.Name);
        }
        catch (ImageDecodeException e)
        {
            // The decoder's own messages can carry raw bytes; keep only printable text.
            var reason = new string(e.Reason.Where(ch => !char.IsControl(ch)).ToArray()).Replace("()", "(corrupt image data)");
            throw new ApiException(422, $"'{upload.Name}' cannot be decoded: {reason}.");
        }
    }
}
