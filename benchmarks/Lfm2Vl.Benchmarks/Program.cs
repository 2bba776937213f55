using BenchmarkDotNet.Running;
using Lfm2Vl.Benchmarks.Reporting;
using Lfm2Vl.Benchmarks.Table;

// Usage: dotnet run -c Release --project benchmarks/Lfm2Vl.Benchmarks -- --filter '*Gemm*' [--quick]
// --quick: one short in-process job per benchmark (a whole suite in a couple of minutes; numbers are rougher).
// --table [--out ours.json] [--only key]: the peers-table workloads, warm-up + median (see benchmarks/README.md).
// Benchmark classes are found by reflection, so a new *Benchmarks class in this assembly joins the suite.
if (args.Contains("--table")) return TableMode.Run(args);
bool quick = args.Contains("--quick");
var rest = args.Where(a => a != "--quick").ToArray();
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest, BenchmarkConfigs.For(quick));
return 0;
