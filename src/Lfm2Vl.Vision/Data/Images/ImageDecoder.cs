using StbImageSharp;

namespace Lfm2Vl.Vision.Data;

/// <summary>
/// Decodes JPEG, PNG and BMP (and the other formats stb_image reads) into <see cref="ImageRgb"/>.
/// Grayscale is expanded to three equal channels; an alpha channel is dropped, keeping the stored colour
/// values (as PIL's <c>convert("RGB")</c> does, which torchvision's ImageFolder uses). 16-bit PNGs are
/// reduced to 8 bits. EXIF orientation is not applied.
/// </summary>
public static class ImageDecoder
{
    /// <summary>The extensions an image folder reads (compared case-insensitively).</summary>
    public static readonly IReadOnlyList<string> Extensions = [".jpg", ".jpeg", ".png", ".bmp"];

    public static bool HasImageExtension(string path)
    {
        string ext = System.IO.Path.GetExtension(path);
        foreach (var e in Extensions)
            if (string.Equals(ext, e, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>Reads and decodes a file; throws <see cref="ImageDecodeException"/> naming it on any failure.</summary>
    public static ImageRgb DecodeFile(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageDecodeException(path, e.Message, e);
        }
        return Decode(bytes, path);
    }

    /// <summary>Decodes encoded bytes; <paramref name="name"/> only labels errors.</summary>
    public static ImageRgb Decode(byte[] bytes, string name = "<memory>")
    {
        if (bytes.Length == 0) throw new ImageDecodeException(name, "the file is empty (0 bytes)");
        if (TruncationCheck.Find(bytes) is { } truncated) throw new ImageDecodeException(name, truncated);
        ImageResult result;
        try { result = ImageResult.FromMemory(bytes, ColorComponents.RedGreenBlue); }
        catch (Exception e)
        {
            string why = string.IsNullOrWhiteSpace(e.Message) ? "corrupt image data" : e.Message.Trim();
            throw new ImageDecodeException(name, $"not a decodable image ({why})", e);
        }
        if (result is null || result.Data is null || result.Width <= 0 || result.Height <= 0)
            throw new ImageDecodeException(name, "the decoder returned no pixels");
        if (result.Data.Length != result.Width * result.Height * 3)
            throw new ImageDecodeException(name, $"the decoder returned {result.Data.Length} bytes for {result.Width}x{result.Height} RGB");
        return new ImageRgb(result.Width, result.Height, result.Data);
    }

    /// <summary>Reads only the header: the size, or a reason the file is not a readable image.</summary>
    public static (int Width, int Height)? ReadSize(string path, out string? problem)
    {
        problem = null;
        try
        {
            using var stream = File.OpenRead(path);
            if (stream.Length == 0) { problem = "the file is empty (0 bytes)"; return null; }
            var info = ImageInfo.FromStream(stream);
            if (info is not { } i || i.Width <= 0 || i.Height <= 0) { problem = "not a recognised image (bad or missing header)"; return null; }
            return (i.Width, i.Height);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            problem = e.Message;
            return null;
        }
    }
}
