using Lfm2Vl.Engine;

namespace Lfm2Vl.Nn.Serialization;

/// <summary>
/// Element types this reader understands. F32, F64 and I32 map one to one onto engine dtypes and are what
/// the writer produces; F16 and BF16 (as published checkpoints use) are widened to Float32 on load, and I64
/// is narrowed to Int32 with a range check.
/// </summary>
public enum SafetensorsDType
{
    F32,
    F64,
    I32,
    F16,
    BF16,
    I64,
}

public static class SafetensorsDTypes
{
    public static int SizeInBytes(this SafetensorsDType t) => t switch
    {
        SafetensorsDType.F32 or SafetensorsDType.I32 => 4,
        SafetensorsDType.F64 or SafetensorsDType.I64 => 8,
        SafetensorsDType.F16 or SafetensorsDType.BF16 => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    /// <summary>The engine dtype a tensor of this type is loaded as.</summary>
    public static DType LoadsAs(this SafetensorsDType t) => t switch
    {
        SafetensorsDType.F32 or SafetensorsDType.F16 or SafetensorsDType.BF16 => DType.Float32,
        SafetensorsDType.F64 => DType.Float64,
        SafetensorsDType.I32 or SafetensorsDType.I64 => DType.Int32,
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    public static SafetensorsDType From(DType t) => t switch
    {
        DType.Float32 => SafetensorsDType.F32,
        DType.Float64 => SafetensorsDType.F64,
        DType.Int32 => SafetensorsDType.I32,
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    /// <summary>Parses the header's dtype string (exact, upper case as the format specifies).</summary>
    public static bool TryParse(string? code, out SafetensorsDType dtype)
    {
        switch (code)
        {
            case "F32": dtype = SafetensorsDType.F32; return true;
            case "F64": dtype = SafetensorsDType.F64; return true;
            case "I32": dtype = SafetensorsDType.I32; return true;
            case "F16": dtype = SafetensorsDType.F16; return true;
            case "BF16": dtype = SafetensorsDType.BF16; return true;
            case "I64": dtype = SafetensorsDType.I64; return true;
            default: dtype = default; return false;
        }
    }
}
