namespace Lfm2Vl.Deploy.Quantization;

/// <summary>
/// The observed range of a conv's input, and the uint8 code it maps to: real = scale * (q - zeroPoint). The range
/// always contains 0, so a real 0 (padding, ReLU zeros) is exactly representable.
/// </summary>
public sealed record ActivationRange(float Min, float Max)
{
    public float Scale => Max > Min ? (Max - Min) / 255f : 1f;
    public int ZeroPoint => Math.Clamp((int)MathF.Round(-Min / Scale), 0, 255);

    public static ActivationRange From(float min, float max) => new(Math.Min(min, 0f), Math.Max(max, 0f));

    public ActivationRange Union(float min, float max) => From(Math.Min(Min, min), Math.Max(Max, max));
}
