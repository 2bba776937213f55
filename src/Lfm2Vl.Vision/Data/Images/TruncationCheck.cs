namespace Lfm2Vl.Vision.Data;

/// <summary>
/// Detects truncated files that stb_image would decode without complaint (it fills a cut-off JPEG with
/// grey, and reads past the end of a short BMP). PNG needs no check: its decoder fails on missing data.
/// </summary>
internal static class TruncationCheck
{
    /// <summary>A reason the file is truncated, or null.</summary>
    public static string? Find(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length >= 2 && bytes[0] == 0xFF && bytes[1] == 0xD8) return Jpeg(bytes);
        if (bytes.Length >= 6 && bytes[0] == (byte)'B' && bytes[1] == (byte)'M') return Bmp(bytes);
        return null;
    }

    // Inside entropy-coded data 0xFF is always followed by 0x00 or a restart marker, so the last FF DA is
    // the last start-of-scan, and a complete file has its end-of-image marker FF D9 after it.
    private static string? Jpeg(ReadOnlySpan<byte> b)
    {
        int sos = LastMarker(b, 0xDA);
        if (sos < 0) return null; // no scan at all: the decoder reports that itself
        int eoi = LastMarker(b, 0xD9);
        return eoi > sos ? null : "the JPEG data is truncated (no end-of-image marker after the last scan)";
    }

    private static int LastMarker(ReadOnlySpan<byte> b, byte code)
    {
        for (int i = b.Length - 2; i >= 0; i--)
            if (b[i] == 0xFF && b[i + 1] == code) return i;
        return -1;
    }

    private static string? Bmp(ReadOnlySpan<byte> b)
    {
        uint declared = (uint)(b[2] | b[3] << 8 | b[4] << 16 | b[5] << 24);
        return declared > b.Length && declared < 1u << 30
            ? $"the BMP data is truncated ({b.Length} of {declared} bytes)"
            : null;
    }
}
