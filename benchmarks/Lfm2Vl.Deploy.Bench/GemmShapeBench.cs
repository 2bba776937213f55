using System.Diagnostics;
using Lfm2Vl.Deploy.Kernels;

/// <summary>
/// GFLOP/s of the float32 packed GEMM on the shapes the compiled models run (ViT-Ti linears and attention at 197
/// tokens, ResNet-18's late 3x3 convs), B packing included, on one thread and split across the cores.
/// </summary>
internal static unsafe class GemmShapeBench
{
    public static void Run()
    {
        var shapes = new (string Name, int M, int N, int K)[]
        {
            ("vit qkv", 576, 197, 192), ("vit proj", 192, 197, 192), ("vit fc1", 768, 197, 192), ("vit fc2", 192, 197, 768),
            ("vit scores", 197, 197, 64), ("vit context", 64, 197, 197),
            ("r18 l2 3x3", 128, 784, 1152), ("r18 l3 3x3", 256, 196, 2304), ("r18 l4 3x3", 512, 49, 4608), ("r18 l1 3x3", 64, 3136, 576),
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
    }
}
