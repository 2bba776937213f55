using StbImageWriteSharp;

namespace Lfm2Vl.Vision.Data;

public enum ImageFileFormat { Png, Jpeg, Bmp }

/// <summary>Writes <see cref="ImageRgb"/> as PNG (lossless), JPEG or BMP.</summary>
public static class ImageEncoder
{
    public static string Extension(ImageFileFormat format) => format switch
    {
        ImageFileFormat.Png => ".png",
        ImageFileFormat.Jpeg => ".jpg",
        ImageFileFormat.Bmp => ".bmp",
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    public static byte[] Encode(ImageRgb image, ImageFileFormat format, int jpegQuality = 90)
    {
        using var ms = new MemoryStream();
        var writer = new ImageWriter();
        switch (format)
        {
            case ImageFileFormat.Png: writer.WritePng(image.Pixels, image.Width, image.Height, ColorComponents.RedGreenBlue, ms); break;
            case ImageFileFormat.Jpeg: writer.WriteJpg(image.Pixels, image.Width, image.Height, ColorComponents.RedGreenBlue, ms, Math.Clamp(jpegQuality, 1, 100)); break;
            case ImageFileFormat.Bmp: writer.WriteBmp(image.Pixels, image.Width, image.Height, ColorComponents.RedGreenBlue, ms); break;
            default: throw new ArgumentOutOfRangeException(nameof(format));
        }
        return ms.ToArray();
    }

    public static void Save(ImageRgb image, string path, ImageFileFormat format, int jpegQuality = 90)
    {
        if (System.IO.Path.GetDirectoryName(path) is { Length: > 0 } dir) Directory.CreateDirectory(dir);
        File.WriteAllBytes(path, Encode(image, format, jpegQuality));
    }

    /// <summary>Picks the format from the extension (.png, .jpg/.jpeg, .bmp).</summary>
    public static void Save(ImageRgb image, string path, int jpegQuality = 90) => Save(image, path, FormatOf(path), jpegQuality);

    public static ImageFileFormat FormatOf(string path) => System.IO.Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".png" => ImageFileFormat.Png,
        ".jpg" or ".jpeg" => ImageFileFormat.Jpeg,
        ".bmp" => ImageFileFormat.Bmp,
        var e => throw new ArgumentException($"Cannot tell an image format from the extension '{e}' (use .png, .jpg, .jpeg or .bmp).", nameof(path)),
    };
}
