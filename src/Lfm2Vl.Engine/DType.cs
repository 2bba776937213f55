namespace Lfm2Vl.Engine;

/// <summary>Element type of a tensor. Float32 is the working type; Float64 exists so gradients can be
/// checked against finite differences without rounding noise; Int32 holds indices and labels.</summary>
public enum DType
{
    Float32,
    Float64,
    Int32,
}

public static class DTypeExtensions
{
    public static int SizeInBytes(this DType t) => t switch
    {
        DType.Float32 => 4,
        DType.Float64 => 8,
        DType.Int32 => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    public static bool IsFloating(this DType t) => t is DType.Float32 or DType.Float64;

    public static string Name(this DType t) => t switch
    {
        DType.Float32 => "float32",
        DType.Float64 => "float64",
        DType.Int32 => "int32",
        _ => t.ToString(),
    };
}
