using System.Diagnostics;
using Lfm2Vl.Deploy.Inference;
using Lfm2Vl.Deploy.Kernels;

/// <summary>
/// The CNN runtime around the convolutions: fork/join cost (Parallel.For vs <see cref="WorkerPool"/>), and the
/// pooling and residual-add kernels at the ResNet-18 and small-CNN shapes (median of many runs).
/// </summary>
internal static unsafe class RuntimeBench
{
    public static void Run()
    {
        Console.WriteLine($"cores: {Environment.ProcessorCount}");
        ForkJoin();
        Pools();
        Overhead();
    }

    /// <summary>Small CNN at batch 1: end-to-end prediction against the sum of its node times (the per-call overhead).</summary>
    private static void Overhead()
    {
        var model = Lfm2Vl.Vision.Models.ModelRegistry.Create(new Lfm2Vl.Vision.Models.ModelConfig { Backbone = "cnn", Variant = "small", InputSize = 64, NumClasses = 10 });
        model.Eval();
        var compiled = Lfm2Vl.Deploy.InferenceCompiler.CompileFloat(model);
        using var x = Lfm2Vl.Engine.Tensor.Randn([1, 3, 64, 64], new Lfm2Vl.Engine.Generator(2)).Persist();
        for (int i = 0; i < 300; i++) compiled.Predict(x).Dispose();
        var e2e = new double[400];
        var sums = new double[400];
        for (int i = 0; i < e2e.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            compiled.Predict(x).Dispose();
            e2e[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            sums[i] = compiled.Profile(x).Sum(p => p.Ms) * 1000;
        }
        Array.Sort(e2e);
        Array.Sort(sums);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) compiled.Predict(x).Dispose();
        double bytes = (GC.GetAllocatedBytesForCurrentThread() - before) / 100.0;
        Console.WriteLine($"  small@64 f32 b1: end-to-end median {e2e[e2e.Length / 2]:F1} us, sum of node times median {sums[sums.Length / 2]:F1} us, " +
            $"{bytes:F0} bytes allocated per Predict (caller thread)");
    }

    private static void ForkJoin()
    {
        int workers = Math.Min(2, Environment.ProcessorCount);
        var options = new ParallelOptions { MaxDegreeOfParallelism = workers };
        int sink = 0;
        // Each index busy-waits 5 us, so an ideal 2-way fork/join takes 5 us and a serial run 10 us. Back to back
        // (helpers still spinning), and after a 2 ms pause (helpers blocked: the wake-up cost).
        foreach (int pauseMs in new[] { 0, 2 })
        {
            Report($"fork/join {workers}x5us, Parallel.For    pause {pauseMs} ms", pauseMs,
                () => Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, i => Busy(5)));
            Report($"fork/join {workers}x5us, WorkerPool.For  pause {pauseMs} ms", pauseMs,
                () => WorkerPool.For(workers, 5, static (us, i) => Busy(us)));
        }
        Report($"serial {workers}x5us (no fork)", 0, () => { for (int i = 0; i < workers; i++) Busy(5); });
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) WorkerPool.For(workers, 0, static (_, i) => { });
        Console.WriteLine($"  WorkerPool.For allocates {(GC.GetAllocatedBytesForCurrentThread() - before) / 1000.0:F1} bytes/call (caller thread)");
        before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) Parallel.For(0, workers, options, i => Interlocked.Increment(ref sink));
        Console.WriteLine($"  Parallel.For allocates {(GC.GetAllocatedBytesForCurrentThread() - before) / 1000.0:F1} bytes/call (caller thread)");
    }

    private static void Pools()
    {
        var x = Pinned(64 * 112 * 112);
        var y = Pinned(64 * 112 * 112);
        var z = Pinned(64 * 112 * 112);
        var r = new Random(1);
        for (int i = 0; i < x.Length; i++) { x[i] = (float)r.NextDouble() - 0.5f; z[i] = (float)r.NextDouble() - 0.5f; }
        fixed (float* xp = x) fixed (float* yp = y) fixed (float* zp = z)
        {
            float* a = xp, b = yp, c = zp;
            Report("maxpool 3x3/s2/p1 64x112x112 (resnet stem)", 0, () => PoolKernels.MaxPool(a, 64, 112, 112, 3, 2, 1, 56, 56, b));
            Report("maxpool 3x3/s2/p1 4x112x112 (1 thread)", 0, () => PoolKernels.MaxPool(a, 4, 112, 112, 3, 2, 1, 56, 56, b));
            Report("maxpool 2x2/s2 32x64x64 (small pool0)", 0, () => PoolKernels.MaxPool(a, 32, 64, 64, 2, 2, 0, 32, 32, b));
            Report("maxpool 2x2/s2 256x8x8 (small pool3)", 0, () => PoolKernels.MaxPool(a, 256, 8, 8, 2, 2, 0, 4, 4, b));
            Report("add+relu 64x56x56 (resnet add0)", 0, () => PoolKernels.Add(a, c, b, 64 * 56 * 56, true));
            Report("add+relu 512x7x7 (resnet add7)", 0, () => PoolKernels.Add(a, c, b, 512 * 7 * 7, true));
            Report("global avg pool 512x7x7", 0, () => PoolKernels.GlobalAvgPool(a, 512, 49, b));
        }
    }

    private static void Busy(int microseconds)
    {
        long until = Stopwatch.GetTimestamp() + microseconds * Stopwatch.Frequency / 1_000_000;
        while (Stopwatch.GetTimestamp() < until) { }
    }

    private static float[] Pinned(int n) => GC.AllocateArray<float>(n, pinned: true);

    private static void Report(string name, int pauseMs, Action action)
    {
        for (int i = 0; i < 200; i++) action();
        int runs = pauseMs > 0 ? 200 : 2000;
        var times = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            if (pauseMs > 0) Thread.Sleep(pauseMs);
            long start = Stopwatch.GetTimestamp();
            action();
            times[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        Array.Sort(times);
        Console.WriteLine($"  {name,-48} median {times[runs / 2],8:F2} us  p10 {times[runs / 10],8:F2} us  p90 {times[runs * 9 / 10],8:F2} us");
    }
}
