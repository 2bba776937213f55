using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Algorithms.ScanReduceOperations;
using ILGPU.Runtime;
using ILGPU.Runtime.OpenCL;
using Lfm2Vl.Engine.Ilgpu;

namespace Lfm2Vl.Backends.Tests;

/// <summary>
/// What OpenCL on PoCL cannot compile, asserted so a PoCL upgrade that fixes it is noticed. The engine's own
/// kernels avoid both features (shared-memory trees instead of Group.Reduce, per-output loops instead of
/// float atomics), which is why the whole conformance suite passes on PoCL.
/// </summary>
public sealed class PoclLimitsTests
{
    private static IlgpuBackend Pocl()
    {
        var d = BackendTarget.OpenCL.Require();
        var b = BackendTarget.OpenCL.Ilgpu!;
        Skip.If(b.Accelerator is CLAccelerator cl && IlgpuRuntime.HasGenericAddressSpace(cl.Device),
            "the OpenCL device has generic address space (not PoCL); these limits are PoCL's");
        _ = d;
        return b;
    }

    private static void GroupReduce(ArrayView<float> x, ArrayView<float> y)
    {
        float s = GroupExtensions.Reduce<float, AddFloat>(x[Grid.GlobalIndex.X]);
        if (Group.IdxX == 0) y[Grid.IdxX] = s;
    }

    private static void FloatAtomicAdd(ArrayView<float> x, ArrayView<float> y) => Atomic.Add(ref y[0], x[Grid.GlobalIndex.X]);

    [SkippableFact]
    public void Group_reduce_does_not_compile_and_the_build_log_says_why()
    {
        var b = Pocl();
        var e = Assert.Throws<KernelCompilationException>(() => b.Cache.Get<Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>>>(
            (Action<ArrayView<float>, ArrayView<float>>)GroupReduce));
        Assert.Contains("work_group_reduce", e.Message);
    }

    [SkippableFact]
    public void Float_atomic_add_does_not_compile_and_the_build_log_says_why()
    {
        var b = Pocl();
        var e = Assert.Throws<KernelCompilationException>(() => b.Cache.Get<Action<AcceleratorStream, KernelConfig, ArrayView<float>, ArrayView<float>>>(
            (Action<ArrayView<float>, ArrayView<float>>)FloatAtomicAdd));
        Assert.Contains("atomic", e.Message);
    }
}
