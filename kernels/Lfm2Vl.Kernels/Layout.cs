using System.Runtime.CompilerServices;

namespace Lfm2Vl.Kernels;

/// <summary>
/// A shape of up to eight dimensions passed by value to kernels, innermost dimension first (D0 is the last
/// axis of the tensor). Unused dimensions have extent 1. The host merges dimensions that are contiguous in
/// every operand first, so most launches see rank 1 or 2 and decompose an index with few divisions.
/// </summary>
public struct Dims8
{
    public const int MaxRank = 8;
    public int Rank;
    public int D0, D1, D2, D3, D4, D5, D6, D7;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly Coords8 Decompose(int linear)
    {
        Coords8 c = default;
        if (Rank <= 1) { c.C0 = linear; return c; }
        c.C0 = linear % D0; linear /= D0;
        if (Rank == 2) { c.C1 = linear; return c; }
        c.C1 = linear % D1; linear /= D1;
        if (Rank == 3) { c.C2 = linear; return c; }
        c.C2 = linear % D2; linear /= D2;
        if (Rank == 4) { c.C3 = linear; return c; }
        c.C3 = linear % D3; linear /= D3;
        if (Rank == 5) { c.C4 = linear; return c; }
        c.C4 = linear % D4; linear /= D4;
        if (Rank == 6) { c.C5 = linear; return c; }
        c.C5 = linear % D5; linear /= D5;
        if (Rank == 7) { c.C6 = linear; return c; }
        c.C6 = linear % D6; linear /= D6;
        c.C7 = linear;
        return c;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly int Get(int p) => p switch
    {
        0 => D0, 1 => D1, 2 => D2, 3 => D3, 4 => D4, 5 => D5, 6 => D6, _ => D7,
    };
}

/// <summary>Coordinates matching <see cref="Dims8"/> (C0 innermost).</summary>
public struct Coords8
{
    public int C0, C1, C2, C3, C4, C5, C6, C7;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly int Get(int p) => p switch
    {
        0 => C0, 1 => C1, 2 => C2, 3 => C3, 4 => C4, 5 => C5, 6 => C6, _ => C7,
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly Coords8 With(int p, int v)
    {
        var c = this;
        switch (p)
        {
            case 0: c.C0 = v; break;
            case 1: c.C1 = v; break;
            case 2: c.C2 = v; break;
            case 3: c.C3 = v; break;
            case 4: c.C4 = v; break;
            case 5: c.C5 = v; break;
            case 6: c.C6 = v; break;
            default: c.C7 = v; break;
        }
        return c;
    }
}

/// <summary>Element strides of one operand for a <see cref="Dims8"/> shape, plus its base offset.</summary>
public struct Strides8
{
    public int Offset;
    public int S0, S1, S2, S3, S4, S5, S6, S7;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly int At(in Coords8 c) =>
        Offset + c.C0 * S0 + c.C1 * S1 + c.C2 * S2 + c.C3 * S3 + c.C4 * S4 + c.C5 * S5 + c.C6 * S6 + c.C7 * S7;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly int Get(int p) => p switch
    {
        0 => S0, 1 => S1, 2 => S2, 3 => S3, 4 => S4, 5 => S5, 6 => S6, _ => S7,
    };
}
