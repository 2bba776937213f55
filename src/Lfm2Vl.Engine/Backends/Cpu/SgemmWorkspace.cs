namespace Lfm2Vl.Engine.Backends.Cpu;

/// <summary>
/// Per-thread pack buffers for the packed SGEMM: pinned (allocated on the pinned object heap, so pointers stay
/// valid without `fixed`), 64-byte aligned for full-cache-line vector loads, and grown only when a larger block
/// is needed, so steady-state GEMM calls allocate nothing.
/// </summary>
internal sealed unsafe class SgemmWorkspace
{
    private const int AlignFloats = 16; // 64 bytes

    [ThreadStatic] private static SgemmWorkspace? t_current;

    private float[] _a = [], _b = [], _tile = [];

    /// <summary>Packed A block (MC x KC, in MR-row panels).</summary>
    public float* A { get; private set; }
    /// <summary>Packed B block (KC x NC, in NR-column panels).</summary>
    public float* B { get; private set; }
    /// <summary>Scratch MR x NR tile for edge tiles and strided C.</summary>
    public float* Tile { get; private set; }

    /// <summary>This thread's workspace with at least the given capacities (in floats).</summary>
    public static SgemmWorkspace ForCurrentThread(int aFloats, int bFloats, int tileFloats)
    {
        var ws = t_current ??= new SgemmWorkspace();
        if (ws._a.Length < aFloats + AlignFloats) ws.A = Allocate(ref ws._a, aFloats);
        if (ws._b.Length < bFloats + AlignFloats) ws.B = Allocate(ref ws._b, bFloats);
        if (ws._tile.Length < tileFloats + AlignFloats) ws.Tile = Allocate(ref ws._tile, tileFloats);
        return ws;
    }

    private static float* Allocate(ref float[] array, int floats)
    {
        array = GC.AllocateUninitializedArray<float>(floats + AlignFloats, pinned: true);
        fixed (float* p = array)
        {
            nint addr = (nint)p;
            nint aligned = (addr + 63) & ~(nint)63;
            return (float*)aligned; // stays valid: pinned-heap arrays never move
        }
    }
}
