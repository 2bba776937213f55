using System.Runtime.CompilerServices;
using ILGPU;

namespace Lfm2Vl.Kernels;

/// <summary>
/// Group-level reductions through a shared-memory tree and barriers. Deliberately not ILGPU's
/// Group.Reduce: that lowers to OpenCL 2.0 work_group_reduce_* built-ins, which PoCL does not declare.
/// The group size must be a power of two of at most <see cref="MaxGroup"/>.
/// </summary>
public static class GroupTree
{
    /// <summary>Size of the shared scratch arrays; launches use at most this many threads per group.</summary>
    public const int MaxGroup = 256;

    /// <summary>Combines every thread's value (sum, max or min); every thread gets the result.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Reduce<T, O>(ArrayView<T> scratch, T v, int op) where T : unmanaged where O : struct, INum<T>
    {
        int t = Group.IdxX;
        scratch[t] = v;
        Group.Barrier();
        for (int s = Group.DimX / 2; s > 0; s >>= 1)
        {
            if (t < s) scratch[t] = ElementMath.Combine<T, O>(op, scratch[t], scratch[t + s]);
            Group.Barrier();
        }
        T r = scratch[0];
        Group.Barrier();
        return r;
    }
}
