using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using Lfm2Vl.Engine;
using Lfm2Vl.Engine.Ilgpu;
using Device = Lfm2Vl.Engine.Device;

namespace Lfm2Vl.Benchmarks;

/// <summary>
/// ILGPU backend kernels on every accelerator present (CUDA, OpenCL, the CPU simulator at a tiny size):
/// the tiled GEMM in GFLOP/s and an element-wise add in GB/s, and on CUDA the same GEMM through cuBLAS in the
/// same run, so the ratio is measured on one machine at one time. OpenCL devices without generic address
/// space (PoCL) are included when LFM2VL_OPENCL_NO_GENERIC=1.
/// Run: dotnet run -c Release --project benchmarks/Lfm2Vl.Benchmarks -- --filter '*IlgpuBenchmarks*'
/// </summary>
[Config(typeof(IlgpuBenchmarkConfig))]
public class IlgpuBenchmarks
{
    /// <summary>"device n": the accelerator and the matrix size (elementwise uses n*n*16 elements).</summary>
    public static IEnumerable<string> Cases()
    {
        foreach (var a in IlgpuRuntime.Accelerators.Where(a => a.Usable))
        {
            int n = a.Device.Kind switch { DeviceKind.Cuda => 2048, DeviceKind.OpenCL => 512, _ => 64 };
            yield return $"{a.Device} {n}";
        }
    }

    [ParamsSource(nameof(Cases))]
    public string Case { get; set; } = "";

    private IlgpuBackend _backend = null!;
    private Tensor _a = null!, _b = null!, _c = null!, _x = null!, _y = null!, _z = null!;
    private CuBlas? _cublas;

    public static (string Device, int N) Parse(string c)
    {
        var parts = c.Split(' ');
        return (parts[0], int.Parse(parts[1]));
    }

    public static long GemmFlops(int n) => 2L * n * n * n;
    public static long AddBytes(int n) => 3L * n * n * 16 * sizeof(float);

    [GlobalSetup]
    public void Setup()
    {
        var (name, n) = Parse(Case);
        Device d = DeviceSelector.Select(name);
        _backend = DeviceSelector.Backend(d);
        _backend.GemmMode = GemmKernelMode.Tiled;
        var gen = new Generator(1);
        _a = Tensor.Randn([n, n], gen).To(d);
        _b = Tensor.Randn([n, n], gen).To(d);
        _c = Tensor.Empty([n, n], DType.Float32, d);
        _x = Tensor.Randn([n * n * 16], gen).To(d);
        _y = Tensor.Randn([n * n * 16], gen).To(d);
        _z = Tensor.Empty([n * n * 16], DType.Float32, d);
        if (_backend.Accelerator is CudaAccelerator cuda) _cublas = new CuBlas(cuda);
        Gemm();
        Add();
    }

    [Benchmark(Description = "ILGPU tiled GEMM")]
    public void Gemm()
    {
        _backend.MatMul(_a.View, _b.View, _c.View);
        _backend.Synchronize();
    }

    [Benchmark(Description = "cuBLAS SGEMM")]
    public void GemmCuBlas()
    {
        // Row-major C = A B is column-major C^T = B^T A^T: swap the operands, no transposes.
        int n = Parse(Case).N;
        _cublas!.Gemm(CuBlasOperation.NonTranspose, CuBlasOperation.NonTranspose, n, n, n,
            1f, View(_b), n, View(_a), n, 0f, View(_c), n);
        _backend.Synchronize();
    }

    [Benchmark(Description = "elementwise add")]
    public void Add()
    {
        _backend.Binary(BinaryOp.Add, _x.View, _y.View, _z.View);
        _backend.Synchronize();
    }

    private static ArrayView<float> View(Tensor t) => ((IlgpuStorage)t.Storage).ViewForBenchmarks();

    [GlobalCleanup]
    public void Cleanup()
    {
        _cublas?.Dispose();
        foreach (var t in new[] { _a, _b, _c, _x, _y, _z }) t?.Dispose();
    }
}

/// <summary>Drops cuBLAS cases on devices that are not CUDA GPUs and adds the throughput column.</summary>
public sealed class IlgpuBenchmarkConfig : ManualConfig
{
    public IlgpuBenchmarkConfig()
    {
        AddFilter(new SimpleFilter(c => c.Descriptor.WorkloadMethod.Name != nameof(IlgpuBenchmarks.GemmCuBlas)
            || (c.Parameters["Case"] as string)?.StartsWith("cuda", StringComparison.Ordinal) == true));
        AddColumn(new ThroughputColumn());
    }
}

/// <summary>GFLOP/s for the GEMMs, GB/s (read + write) for the element-wise add, from the mean time.</summary>
public sealed class ThroughputColumn : IColumn
{
    public string Id => nameof(ThroughputColumn);
    public string ColumnName => "Throughput";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => false;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "GFLOP/s (GEMM, 2n^3 flops) or GB/s (add, 3 x 4 bytes per element)";
    public bool IsAvailable(Summary summary) => true;
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        var stats = summary[benchmarkCase]?.ResultStatistics;
        if (stats is null || benchmarkCase.Parameters["Case"] is not string c) return "-";
        int n = IlgpuBenchmarks.Parse(c).N;
        double seconds = stats.Mean * 1e-9;
        return benchmarkCase.Descriptor.WorkloadMethod.Name == nameof(IlgpuBenchmarks.Add)
            ? $"{IlgpuBenchmarks.AddBytes(n) / seconds / 1e9:F1} GB/s"
            : $"{IlgpuBenchmarks.GemmFlops(n) / seconds / 1e9:F1} GFLOP/s";
    }
}
