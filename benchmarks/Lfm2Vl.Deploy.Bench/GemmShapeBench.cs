using System.Diagnostics;
using System.Runtime.InteropServices;
using Lfm2Vl.Deploy.Kernels;

/// <summary>
/// GFLOP/s of the float32 packed GEMM on the shapes the compiled models run (ViT-Ti linears and attention at 197
/// tokens, ResNet-18's late 3x3 convs), B packing included, on one thread and split across the cores.
/// </summary>
internal static unsafe class GemmShapeBench
{
    public static void Run()
    {
        ShiftedKernel();
        Convs();
        Shapes();
        Unfolds();
    }

    /// <summary>One thread: the shifted-window GEMM against the packed GEMM on the same block (64 rows, K = 576, 256 columns).</summary>
    private static void ShiftedKernel()
    {
        foreach (var (c, oc, hw) in new[] { (64, 64, 56), (3, 32, 64), (128, 256, 8) })
        {
            int k = c * 9, wp = hw + 2, count = Math.Min(256, hw * wp), count32 = ShiftedWindowConv.RoundUp(count);
            int rows = ShiftedWindowConv.WindowRows(0, count, wp, 3);
            var a = PackedSgemm.PackA(Enumerable.Range(0, oc * k).Select(i => i % 7 * 0.01f).ToArray(), oc, k);
            var win = GC.AllocateArray<float>(c * rows * wp, pinned: true);
            var off = GC.AllocateArray<int>(k, pinned: true);
            var tile = GC.AllocateArray<float>(PackedSgemm.PanelsM(oc) * 8 * count32, pinned: true);
            var pb = GC.AllocateArray<float>(count32 * k, pinned: true);
            var bias = GC.AllocateArray<float>(PackedSgemm.PanelsM(oc) * 8, pinned: true);
            double bestS = double.MaxValue, bestP = double.MaxValue;
            fixed (float* ap = a) fixed (float* wn = win) fixed (int* op = off) fixed (float* tp = tile) fixed (float* pbp = pb) fixed (float* bp = bias)
            {
                ShiftedWindowConv.Offsets(c, 3, rows, wp, op);
                for (int r = 0; r < 200; r++)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    ShiftedWindowConv.Gemm(oc, k, ap, wn, op, 0, count32, tp, bp, true, 0, PackedSgemm.PanelsM(oc));
                    bestS = Math.Min(bestS, Stopwatch.GetElapsedTime(t0).TotalSeconds);
                    t0 = Stopwatch.GetTimestamp();
                    PackedSgemm.Run(oc, count32, k, ap, pbp, tp, count32, bp, true, false);
                    bestP = Math.Min(bestP, Stopwatch.GetElapsedTime(t0).TotalSeconds);
                }
            }
            double flops = 2.0 * oc * k * count32;
            Console.WriteLine($"kernel {oc}x{count32}x{k}: shifted {flops / bestS / 1e9:F0} GFLOP/s, packed {flops / bestP / 1e9:F0} GFLOP/s (1 thread)");
        }
    }

    /// <summary>Stride-1 3x3 convolutions of the small CNN and ResNet-18, unfolded vs shifted windows, at batch 1 and 32.</summary>
    private static void Convs()
    {
        foreach (var (c, oc, hw, n) in new[] { (3, 32, 64, 32), (32, 64, 32, 32), (64, 128, 16, 32), (128, 256, 8, 32),
            (64, 64, 56, 1), (128, 128, 28, 1), (256, 256, 14, 1), (512, 512, 7, 1), (64, 64, 56, 8), (512, 512, 7, 8) })
        {
            var node = new Lfm2Vl.Deploy.Graph.ConvNode("x", "y", Enumerable.Range(0, oc * c * 9).Select(i => i % 7 * 0.01f).ToArray(), oc, c, 3, 1, 1,
                new float[oc], Lfm2Vl.Deploy.Graph.Activation.Relu);
            var exec = new Lfm2Vl.Deploy.Inference.FloatConvExecutor(node);
            var x = GC.AllocateArray<float>(n * c * hw * hw, pinned: true);
            var y = GC.AllocateArray<float>(n * oc * hw * hw, pinned: true);
            var line = $"conv 3x3 {c}->{oc} {hw}x{hw} batch {n}:";
            foreach (bool shifted in new[] { false, true })
            {
                double best = double.MaxValue;
                fixed (float* xp = x) fixed (float* yp = y)
                    for (int r = 0; r < (n == 1 ? 40 : 8); r++)
                    {
                        long t0 = Stopwatch.GetTimestamp();
                        if (shifted) exec.ExecuteShifted(xp, n, hw, hw, yp, hw, hw);
                        else exec.ExecuteUnfolded(xp, n, hw, hw, yp, hw, hw);
                        best = Math.Min(best, Stopwatch.GetElapsedTime(t0).TotalSeconds);
                    }
                line += $"  {(shifted ? "shifted" : "unfolded")} {best * 1e3,7:F3} ms ({2.0 * n * oc * c * 9 * hw * hw / best / 1e9,5:F0} GFLOP/s)";
            }
            Console.WriteLine(line);
        }
    }

    private static void Shapes()
    {
        var shapes = new (string Name, int M, int N, int K)[]
        {
            ("r18 l1 block", 64, 256, 576), ("r18 l2 block", 128, 256, 1152), ("r18 l2 3x3", 128, 784, 1152), ("r18 l3 3x3", 256, 196, 2304), ("r18 l4 3x3", 512, 49, 4608), ("r18 l1 3x3", 64, 3136, 576),
        };
        foreach (var (name, m, n, k) in shapes)
        {
            var a = new float[m * k]; var b = new float[k * n];
            for (int i = 0; i < a.Length; i++) a[i] = i % 7 * 0.1f;
            for (int i = 0; i < b.Length; i++) b[i] = i % 5 * 0.1f;
            var pa = PackedSgemm.PackA(a, m, k);
            var pb = GC.AllocateArray<float>(PackedSgemm.PanelsN(n) * PackedSgemm.NR * k, pinned: true);
            var c = new float[m * n];
            var bias = PackedSgemm.PadBias(null, m);
            var line = $"{name,-12} {m}x{n}x{k}:";
            foreach (bool parallel in new[] { false, true })
            {
                double best = double.MaxValue;
                fixed (float* bp = b) fixed (float* pbp = pb) fixed (float* pap = pa) fixed (float* cp = c) fixed (float* biasp = bias)
                    for (int r = 0; r < 60; r++)
                    {
                        long t0 = Stopwatch.GetTimestamp();
                        PackedSgemm.PackB(bp, k, n, n, pbp);
                        PackedSgemm.Run(m, n, k, pap, pbp, cp, n, biasp, false, parallel);
                        best = Math.Min(best, Stopwatch.GetElapsedTime(t0).TotalSeconds);
                    }
                line += $"  {(parallel ? "2 threads" : "1 thread")} {2.0 * m * n * k / best / 1e9,6:F1} GFLOP/s ({best * 1e3:F3} ms)";
            }
            Console.WriteLine(line);
        }
        ColdWeights(512, 49, 4608);
        ColdWeights(256, 196, 2304);
    }

    private static void Unfolds()
    {
        foreach (var (ch, hw, kernel, stride, pad, inHw) in new[] { (64, 56, 3, 1, 1, 56), (128, 28, 3, 1, 1, 28), (256, 14, 3, 1, 1, 14), (512, 7, 3, 1, 1, 7),
            (3, 112, 7, 2, 3, 224), (64, 28, 3, 2, 1, 56), (256, 7, 3, 2, 1, 14) })
        {
            var x = new float[ch * inHw * inHw];
            var dst = GC.AllocateArray<float>(PackedSgemm.PanelsN(hw * hw) * PackedSgemm.NR * ch * kernel * kernel, pinned: true);
            double best = double.MaxValue, bestGather = double.MaxValue;
            fixed (float* xp = x) fixed (float* dp = dst)
                for (int r = 0; r < 40; r++)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    Im2ColPacked.UnfoldRuns(xp, ch, inHw, inHw, kernel, stride, pad, hw, hw, dp, 0, Math.Min(hw * hw, 256));
                    best = Math.Min(best, Stopwatch.GetElapsedTime(t0).TotalSeconds);
                    t0 = Stopwatch.GetTimestamp();
                    Im2ColPacked.UnfoldGather(xp, ch, inHw, inHw, kernel, stride, pad, hw, hw, dp, 0, Math.Min(hw * hw, 256));
                    bestGather = Math.Min(bestGather, Stopwatch.GetElapsedTime(t0).TotalSeconds);
                }
            Console.WriteLine($"unfold {kernel}x{kernel} s{stride} {ch}ch -> {hw}x{hw} (first 256 columns): copies {best * 1e3:F3} ms, gathers {bestGather * 1e3:F3} ms");
        }
    }

    /// <summary>The GEMM with its weights evicted from the caches: one of several copies that together exceed the L3.</summary>
    private static void ColdWeights(int m, int n, int k)
    {
        int copies = Math.Max(2, (int)(96L * 1024 * 1024 / (4L * m * k)));
        var a = new float[m * k];
        for (int i = 0; i < a.Length; i++) a[i] = i % 7 * 0.1f;
        var pas = Enumerable.Range(0, copies).Select(_ => { var p = PackedSgemm.PackA(a, m, k); return (p, GCHandle.Alloc(p, GCHandleType.Pinned)); }).ToList();
        var b = new float[k * n];
        var pb = GC.AllocateArray<float>(PackedSgemm.PanelsN(n) * PackedSgemm.NR * k, pinned: true);
        var c = GC.AllocateArray<float>(m * n, pinned: true);
        var bias = GC.AllocateArray<float>(PackedSgemm.PanelsM(m) * PackedSgemm.MR, pinned: true);
        var line = $"cold weights {m}x{n}x{k} ({copies} copies):";
        foreach (bool parallel in new[] { false, true })
        {
            double best = double.MaxValue;
            fixed (float* bp = b) fixed (float* pbp = pb) fixed (float* cp = c) fixed (float* biasp = bias)
            {
                PackedSgemm.PackB(bp, k, n, n, pbp);
                for (int r = 0; r < 4 * copies; r++)
                {
                    float* pap = (float*)pas[r % copies].Item2.AddrOfPinnedObject();
                    long t0 = Stopwatch.GetTimestamp();
                    PackedSgemm.Run(m, n, k, pap, pbp, cp, n, biasp, false, parallel);
                    best = Math.Min(best, Stopwatch.GetElapsedTime(t0).TotalSeconds);
                }
            }
            line += $"  {(parallel ? "2 threads" : "1 thread")} {2.0 * m * n * k / best / 1e9,6:F1} GFLOP/s ({best * 1e3:F3} ms)";
        }
        foreach (var (_, h) in pas) h.Free();
        Console.WriteLine(line);
    }
}
