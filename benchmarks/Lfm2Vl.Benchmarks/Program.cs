using BenchmarkDotNet.Running;
using Lfm2Vl.Benchmarks.Reporting;

// Usage: dotnet run -c Release --project benchmarks/Lfm2Vl.Benchmarks -- --filter '*Gemm*' [--quick]
// --quick: one short in-process job per benchmark (a whole suite in a couple of minutes; numbers are rougher).
bool quick = args.Contains("--quick");
var rest = args.Where(a => a != "--quick").ToArray();
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest, BenchmarkConfigs.For(quick));
