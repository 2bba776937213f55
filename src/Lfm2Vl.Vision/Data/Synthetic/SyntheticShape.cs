namespace Lfm2Vl.Vision.Data;

/// <summary>Object classes the synthetic generator can draw; the class name is the lower-case enum name.</summary>
public enum SyntheticShape { Circle, Square, Triangle, Cross, Face }

public enum SyntheticBackground { Solid, Gradient, Noise }

public static class SyntheticShapes
{
    public static IReadOnlyList<SyntheticShape> All { get; } = Enum.GetValues<SyntheticShape>();

    public static string ClassName(this SyntheticShape shape) => shape.ToString().ToLowerInvariant();
}
