using ILGPU;
using ILGPU.Runtime;
using Lfm2Vl.Engine.Ilgpu;
using Device = Lfm2Vl.Engine.Device;

namespace Lfm2Vl.Backends.Tests;

/// <summary>What the ILGPU backend promises beyond matching the CPU: caching, pooling and clear errors.</summary>
[Collection(IlgpuCpuCollection.Name)]
public sealed class IlgpuBackendTests
{
    private static (Device Device, IlgpuBackend Backend) Simulator()
    {
        var d = BackendTarget.IlgpuCpu.Require();
        return (d, BackendTarget.IlgpuCpu.Ilgpu!);
    }

    private static void Step(Device d, Tensor w, Tensor x)
    {
        using var scope = TensorScope.Begin();
        var loss = (Tensor.MatMul(x, w).Relu().Softmax(-1) * x.Sum(1, keepDim: true)).Sum();
        loss.Backward();
        using (GradMode.NoGrad()) w.AddInPlace(w.Grad!, -0.1);
        w.ZeroGrad();
    }

    [SkippableFact]
    public void Kernels_compile_once_and_a_steady_training_step_allocates_no_device_memory()
    {
        var (d, b) = Simulator();
        var w = Tensor.Randn([5, 3], new Generator(1)).To(d).RequireGrad();
        var x = Tensor.Randn([4, 5], new Generator(2)).To(d);
        Step(d, w, x);
        Step(d, w, x);
        int kernels = b.KernelsCompiled;
        long buffers = b.Pool.BuffersCreated;
        for (int i = 0; i < 3; i++) Step(d, w, x);
        Assert.True(kernels > 0);
        Assert.Equal(kernels, b.KernelsCompiled);
        Assert.Equal(buffers, b.Pool.BuffersCreated);
    }

    [SkippableFact]
    public void An_index_out_of_range_is_reported_at_the_next_synchronization()
    {
        var (d, _) = Simulator();
        using var x = Tensor.Randn([5, 2], new Generator(3)).To(d);
        using var bad = Tensor.FromArray([1, 7], 2).To(d);
        using var y = x.IndexSelect(0, bad);
        var e = Assert.Throws<IndexOutOfRangeException>(() => y.ToArray<float>());
        Assert.Contains("index_select", e.Message);
        // The flag is cleared: the device keeps working.
        using var good = Tensor.FromArray([4, 0], 2).To(d);
        using var z = x.IndexSelect(0, good);
        Assert.Equal(x.ToArray<float>()[8], z.ToArray<float>()[0]);
    }

    [SkippableFact]
    public void Out_of_memory_names_the_size_and_advises_a_smaller_batch()
    {
        var (d, b) = Simulator();
        b.MemoryLimitBytes = b.Pool.LiveBytes + (1 << 20);
        try
        {
            var e = Assert.Throws<DeviceOutOfMemoryException>(() => Tensor.Empty([3_000_000], DType.Float32, d));
            Assert.Contains("3000000 float32 elements", e.Message);
            Assert.Contains("batch size", e.Message);
            Assert.Contains(d.ToString(), e.Message);
        }
        finally { b.MemoryLimitBytes = null; }
    }

    [Fact]
    public void An_absent_device_is_refused_with_the_list_of_present_ones()
    {
        var e = Assert.Throws<DeviceUnavailableException>(() => DeviceSelector.Select("cuda:7"));
        Assert.Contains("cuda:7", e.Message);
        Assert.Contains("cpu (SIMD CPU backend)", e.Message);
        Assert.Contains("ilgpu-cpu:0", e.Message);
        var bad = Assert.Throws<ArgumentException>(() => DeviceSelector.Select("tpu"));
        Assert.Contains("auto", bad.Message);
    }

    [Fact]
    public void Auto_prefers_cuda_then_an_opencl_gpu_then_the_cpu_backend()
    {
        var all = IlgpuRuntime.Accelerators;
        var expected = all.FirstOrDefault(a => a.Device.Kind == DeviceKind.Cuda)?.Device
            ?? all.FirstOrDefault(a => a.Device.Kind == DeviceKind.OpenCL && a.Usable && a.Name.Contains("GPU", StringComparison.Ordinal))?.Device
            ?? Device.Cpu;
        Assert.Equal(expected, DeviceSelector.Select("auto"));
        Assert.Equal(Device.Cpu, DeviceSelector.Select("cpu"));
    }

    [Fact]
    public void OpenCL_devices_without_generic_address_space_need_the_documented_opt_in()
    {
        var cl = IlgpuRuntime.Accelerators.FirstOrDefault(a => a.Device.Kind == DeviceKind.OpenCL
            && !IlgpuRuntime.HasGenericAddressSpace((ILGPU.Runtime.OpenCL.CLDevice)a.IlgpuDevice));
        Skip.If(cl is null, "no OpenCL device without generic address space (such as PoCL) is present");
        _ = BackendTarget.OpenCL.Device; // open it first: the conformance suite must not see the flag cleared below
        bool old = IlgpuRuntime.AllowOpenCLWithoutGenericAddressSpace;
        IlgpuRuntime.AllowOpenCLWithoutGenericAddressSpace = false;
        try
        {
            var entry = IlgpuRuntime.Accelerators.First(a => a.Device == cl!.Device);
            Assert.False(entry.Usable);
            Assert.Contains(IlgpuRuntime.OpenCLNoGenericEnvVar, entry.Reason);
        }
        finally { IlgpuRuntime.AllowOpenCLWithoutGenericAddressSpace = old; }
        Assert.Equal("typedef global float* type_1;", OpenCLCompatPatch("typedef __generic float* type_1;"));
    }

    private static string OpenCLCompatPatch(string s) => OpenCLCompat.Patch(s);

    // A kernel ILGPU itself cannot compile (it allocates a managed object).
    private static void Unsupported(ArrayView<int> x)
    {
        var o = new object();
        x[Grid.GlobalIndex.X] = o.GetHashCode();
    }

    [SkippableFact]
    public void A_kernel_that_fails_to_compile_names_itself_and_carries_the_backend_message()
    {
        var (_, b) = Simulator();
        var e = Assert.Throws<KernelCompilationException>(() =>
            b.Cache.Get<Action<AcceleratorStream, KernelConfig, ArrayView<int>>>((Action<ArrayView<int>>)Unsupported));
        Assert.Contains("IlgpuBackendTests.Unsupported", e.Message);
        Assert.Contains("CPU", e.Message);
        Assert.True(e.Message.Length > 80, e.Message);
        // Remembered: the second request fails the same way without recompiling.
        var again = Assert.Throws<KernelCompilationException>(() =>
            b.Cache.Get<Action<AcceleratorStream, KernelConfig, ArrayView<int>>>((Action<ArrayView<int>>)Unsupported));
        Assert.Equal(e.Message, again.Message);
    }
}
