namespace Lfm2Vl.Engine.Backends.Cpu;

/// <summary>
/// A register-tiled SGEMM micro-kernel: C[MR,NR] (=|+=) sum over p of Ap[p,0..MR) (outer) Bp[p,0..NR),
/// reading the packed panels written by <see cref="SgemmPacking"/> (A: MR floats per k step, B: NR floats
/// per k step). It always computes the full MR x NR tile; the driver handles edges through a scratch tile.
/// Static abstract members let the driver be specialised per kernel with no virtual calls.
/// </summary>
internal unsafe interface ISgemmKernel
{
    /// <summary>Rows of C per tile (values broadcast from the A panel).</summary>
    static abstract int MR { get; }
    /// <summary>Columns of C per tile (vector loads from the B panel).</summary>
    static abstract int NR { get; }
    /// <summary>Rows of the kernel's short variant for a last, partial row panel (0: none).</summary>
    static abstract int ShortMR { get; }
    /// <summary>Whether this machine runs the kernel in hardware.</summary>
    static abstract bool IsSupported { get; }

    /// <summary>
    /// C tile at <paramref name="c"/> with row stride <paramref name="ldc"/> (unit column stride). The NR floats of
    /// B for step p are at b + p*ldb: ldb = NR for a packed panel, the row stride for B read in place.
    /// </summary>
    static abstract void Tile(int kc, float* a, float* b, nint ldb, float* c, nint ldc, bool accumulate);

    /// <summary>The same for a ShortMR x NR tile (A panel packed ShortMR wide).</summary>
    static abstract void TileShort(int kc, float* a, float* b, nint ldb, float* c, nint ldc, bool accumulate);
}
