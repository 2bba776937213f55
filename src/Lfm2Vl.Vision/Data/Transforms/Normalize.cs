namespace Lfm2Vl.Vision.Data;

/// <summary>Per-channel (x - mean) / std on CHW values in [0, 1]; ImageNet statistics by default.</summary>
public sealed record Normalize
{
    public static readonly IReadOnlyList<float> ImageNetMean = [0.485f, 0.456f, 0.406f];
    public static readonly IReadOnlyList<float> ImageNetStd = [0.229f, 0.224f, 0.225f];

    public static Normalize ImageNet { get; } = new(ImageNetMean, ImageNetStd);

    public Normalize(IReadOnlyList<float> mean, IReadOnlyList<float> std)
    {
        if (mean.Count != 3 || std.Count != 3) throw new ArgumentException("Normalize needs three means and three standard deviations (R, G, B).");
        if (std.Any(s => !(s > 0))) throw new ArgumentException("Standard deviations must be positive.", nameof(std));
        Mean = mean.ToArray();
        Std = std.ToArray();
    }

    public IReadOnlyList<float> Mean { get; }
    public IReadOnlyList<float> Std { get; }

    /// <summary>Normalises CHW values in place.</summary>
    public void Apply(Span<float> chw, int height, int width)
    {
        int plane = height * width;
        if (chw.Length != 3 * plane) throw new ArgumentException($"Expected {3 * plane} values for 3x{height}x{width}, got {chw.Length}.");
        for (int c = 0; c < 3; c++)
        {
            float m = Mean[c], inv = 1f / Std[c];
            var p = chw.Slice(c * plane, plane);
            for (int i = 0; i < p.Length; i++) p[i] = (p[i] - m) * inv;
        }
    }

    /// <summary>The normalised value of byte <paramref name="v"/> in channel <paramref name="c"/>.</summary>
    public float Of(int c, byte v) => (v / 255f - Mean[c]) / Std[c];
}
