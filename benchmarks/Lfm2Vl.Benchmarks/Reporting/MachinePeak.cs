namespace Lfm2Vl.Benchmarks.Reporting;

/// <summary>
/// FP32 peak of the reference machine: 2 cores x 2 FMA pipes x 16 lanes x 2 flops x 2.97 GHz = 380 GFLOP/s
/// (a bare FMA loop reaches ~350, MKL ~323 and OpenBLAS ~329 on 2048^3 SGEMM). Override with LFM2VL_PEAK_GFLOPS
/// on another machine.
/// </summary>
public static class MachinePeak
{
    public const double ReferenceGflops = 380;

    public static double Gflops =>
        double.TryParse(Environment.GetEnvironmentVariable("LFM2VL_PEAK_GFLOPS"), System.Globalization.CultureInfo.InvariantCulture, out var g) && g > 0
            ? g : ReferenceGflops;
}
