using BenchmarkDotNet.Running;
using Lfm2Vl.Benchmarks.Reporting;
using Lfm2Vl.Benchmarks.Table;

// Usage: dotnet run -c Release --project benchmarks/Lfm2Vl.Benchmarks -- [--filter '*Gemm*'] [--quick]
// No filter: every benchmark. --quick: one short in-process job per benchmark (rougher numbers, a much shorter run).
// --table [--out ours.json] [--only key]: the peers-table workloads, warm-up + median (see benchmarks/README.md).
// Benchmark classes are found by reflection, so a new *Benchmarks class in this assembly joins the suite.
if (args.Contains("--table")) return TableMode.Run(args);
bool quick = args.Contains("--quick");
var rest = args.Where(a => a != "--quick").ToArray();
var switcher = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly);
// Selecting options; without one, run everything (a "--filter *" would need quoting from every shell, and
// PowerShell expands a bare * into file names even when it comes from an array).
string[] selecting = ["--filter", "-f", "--list", "--help", "-h", "--version", "--info", "--allCategories", "--anyCategories", "--attribute"];
if (rest.Any(selecting.Contains)) switcher.Run(rest, BenchmarkConfigs.For(quick));
else switcher.RunAll(BenchmarkConfigs.For(quick), rest);
return 0;
