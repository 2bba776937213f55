using Lfm2Vl.Engine.Backends.Cpu;

namespace Lfm2Vl.Benchmarks.Reporting;

/// <summary>
/// Empties the CPU backend's buffer pool between cases that share a process (--quick, --table), so one model's
/// pooled buffers (up to the pool's cap) do not crowd out the next one's and show up as its allocations.
/// </summary>
public static class EnginePool
{
    public static void Reset()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers(); // storages released by finalizers go back to the pool first
        CpuBackend.Instance.Pool.Trim();
        GC.Collect();
    }
}
