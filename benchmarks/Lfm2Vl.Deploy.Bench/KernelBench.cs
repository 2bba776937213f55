using System.Diagnostics;
using Lfm2Vl.Deploy.Kernels;

/// <summary>Single-threaded GFLOP/s (and int8 GOP/s) of the packed kernels on conv-shaped GEMMs (best of several runs).</summary>
internal static unsafe class KernelBench
{
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

            var qa = new sbyte[m * k]; for (int i = 0; i < qa.Length; i++) qa[i] = (sbyte)(i % 200 - 100);
            var qpa = Int8Gemm.PackA(qa, m, k);
            var qpb = new byte[Int8Gemm.PackedBLength(k, n)];
            var qc = new int[m * n];
            foreach (bool vnni in new[] { true, false })
            {
                if (vnni && !Int8Gemm.VnniAvailable) continue;
                double bestQ = double.MaxValue;
                fixed (sbyte* ap = qpa) fixed (byte* bp = qpb) fixed (int* cp = qc)
                    for (int r = 0; r < (vnni ? 20 : 2); r++)
                    {
                        var sw = Stopwatch.StartNew();
                        Int8Gemm.Run(m, n, k, ap, bp, cp, n, vnni, false);
                        bestQ = Math.Min(bestQ, sw.Elapsed.TotalSeconds);
                    }
                Console.WriteLine($"  int8 {(vnni ? "vnni  " : "scalar")}: {2.0 * m * n * k / bestQ / 1e9:F1} GOP/s");
            }
        }
    }
}
