using System.Diagnostics;
using Lfm2Vl.Deploy.Graph;
using Lfm2Vl.Deploy.Kernels;
using Lfm2Vl.Deploy.Quantization;

/// <summary>Single-threaded GFLOP/s of the packed float kernel on conv-shaped GEMMs, and multiply-adds per second of the
/// int8 direct convolution on the same shapes (its executor, all cores; best of several runs).</summary>
internal static unsafe class KernelBench
{
    private static void Int8Conv(int outChannels, int channels, int size)
    {
        var rng = new Random(3);
        var weight = Enumerable.Range(0, outChannels * channels * 9).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var node = new ConvNode("x", "y", weight, outChannels, channels, 3, 1, 1, new float[outChannels], Activation.Relu);
        var x = Enumerable.Range(0, channels * size * size).Select(_ => (float)rng.NextDouble()).ToArray();
        var y = new float[outChannels * size * size];
        double macs = (double)outChannels * channels * 9 * size * size;
        foreach (bool vnni in new[] { true, false })
        {
            if (vnni && !Int8DirectConv.VnniAvailable) continue;
            var conv = new Int8ConvExecutor(node, ActivationRange.From(0f, 1f), vnni);
            double best = double.MaxValue;
            fixed (float* xp = x) fixed (float* yp = y)
                for (int r = 0; r < (vnni ? 20 : 2); r++)
                {
                    var sw = Stopwatch.StartNew();
                    conv.Execute(xp, 1, size, size, yp, size, size);
                    best = Math.Min(best, sw.Elapsed.TotalSeconds);
                }
            Console.WriteLine($"  int8 conv3x3 {channels}->{outChannels} @{size} {(vnni ? "vnni  " : "scalar")}: {macs / best / 1e9:F1} G multiply-adds/s (all cores)");
        }
    }

    public static void Run()
    {
        foreach (var (m, n, k) in new[] { (64, 3136, 576), (256, 196, 2304), (512, 49, 4608), (128, 256, 576) })
        {
            var a = new float[m * k]; var b = new float[k * n];
            new Random(1).NextBytes(new byte[1]);
            for (int i = 0; i < a.Length; i++) a[i] = i % 7 * 0.1f;
            for (int i = 0; i < b.Length; i++) b[i] = i % 5 * 0.1f;
            var pa = PackedSgemm.PackA(a, m, k);
            var pb = new float[PackedSgemm.PanelsN(n) * PackedSgemm.NR * k];
            var c = new float[m * n];
            var bias = PackedSgemm.PadBias(null, m);
            double best = double.MaxValue;
            fixed (float* bp = b) fixed (float* pbp = pb) fixed (float* pap = pa) fixed (float* cp = c) fixed (float* biasp = bias)
            {
                PackedSgemm.PackB(bp, k, n, n, pbp);
                for (int r = 0; r < 20; r++)
                {
                    var sw = Stopwatch.StartNew();
                    PackedSgemm.Run(m, n, k, pap, pbp, cp, n, biasp, true, false);
                    best = Math.Min(best, sw.Elapsed.TotalSeconds);
                }
            }
            Console.WriteLine($"sgemm {m}x{n}x{k}: {2.0 * m * n * k / best / 1e9:F1} GFLOP/s (1 thread, best of 20)");

            // The int8 path has no GEMM of its own: the same shape as a 3x3 convolution (k = 9 C) through the executor.
            if (k % 9 == 0) Int8Conv(m, k / 9, (int)Math.Round(Math.Sqrt(n)));
        }
    }
}
