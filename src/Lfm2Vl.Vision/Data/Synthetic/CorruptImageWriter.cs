using Lfm2Vl.Engine;

namespace Lfm2Vl.Vision.Data;

public enum ImageCorruption
{
    /// <summary>A zero-byte file.</summary>
    Empty,
    /// <summary>Random bytes (no image header).</summary>
    Garbage,
    /// <summary>A valid PNG cut in half (the header reads, the pixel data does not).</summary>
    TruncatedPng,
    /// <summary>A valid JPEG cut before its end-of-image marker.</summary>
    TruncatedJpeg,
}

/// <summary>Writes deliberately broken image files, for testing how the data layer reports them.</summary>
public static class CorruptImageWriter
{
    public static void Write(string path, ImageCorruption kind, ulong seed = 0)
    {
        if (Path.GetDirectoryName(path) is { Length: > 0 } dir) Directory.CreateDirectory(dir);
        var rng = new Generator(seed);
        byte[] bytes = kind switch
        {
            ImageCorruption.Empty => [],
            ImageCorruption.Garbage => Enumerable.Range(0, 512).Select(_ => (byte)rng.NextInt(256)).ToArray(),
            ImageCorruption.TruncatedPng => Half(ImageEncoder.Encode(Noise(rng), ImageFileFormat.Png)),
            ImageCorruption.TruncatedJpeg => Half(ImageEncoder.Encode(Noise(rng), ImageFileFormat.Jpeg)),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        File.WriteAllBytes(path, bytes);
    }

    private static byte[] Half(byte[] b) => b[..(b.Length / 2)];

    private static ImageRgb Noise(Generator rng)
    {
        var img = new ImageRgb(32, 32);
        for (int i = 0; i < img.Pixels.Length; i++) img.Pixels[i] = (byte)rng.NextInt(256);
        return img;
    }
}
