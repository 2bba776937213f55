using System.Text.Json;
using System.Text.Json.Nodes;
using Lfm2Vl.Benchmarks.Reporting;

namespace Lfm2Vl.Benchmarks.Table;

/// <summary>
/// `--table [--out file.json] [--only substring | --key exact-key] [--list]`: times each peers-table workload with
/// <see cref="MedianTimer"/> (far cheaper than BenchmarkDotNet) and writes the results as JSON in the format of
/// benchmarks/peers/torch_peers.py, which benchmarks/peers/make_table.py joins into one markdown table.
/// --list prints the workload keys (benchmarks/peers/run.sh alternates ours and the peer key by key).
/// </summary>
public static class TableMode
{
    public static int Run(string[] args)
    {
        if (args.Contains("--list"))
        {
            foreach (var (key, _) in TableWorkloads.All()) Console.WriteLine(key);
            return 0;
        }
        string? outPath = Option(args, "--out");
        string? only = Option(args, "--only");
        string? exact = Option(args, "--key");
        var rows = new JsonArray();
        foreach (var (key, make) in TableWorkloads.All())
        {
            if (only is not null && !key.Contains(only, StringComparison.OrdinalIgnoreCase)) continue;
            if (exact is not null && key != exact) continue;
            double? load = LoadAverage();
            var w = make();
            try
            {
                var (median, times, allocated) = MedianTimer.Measure(w.Run);
                Console.WriteLine($"ours  {w.Key,-28} {median * 1e3,10:F2} ms  {Throughput(w, median)}  {allocated / 1e6,9:F2} MB allocated/call");
                rows.Add(new JsonObject
                {
                    ["key"] = w.Key, ["flops"] = w.Flops, ["images"] = w.Images, ["median_s"] = median,
                    ["allocated_bytes"] = allocated, ["parameters"] = w.Parameters, ["load1"] = load,
                    ["times_s"] = new JsonArray(times.Select(t => (JsonNode)t).ToArray()),
                });
            }
            finally
            {
                w.Owner?.Dispose();
                EnginePool.Reset();
            }
        }
        var doc = new JsonObject
        {
            ["framework"] = $"Lfm2Vl.Engine (.NET {Environment.Version}, {Engine.Backends.Cpu.SgemmPacked.KernelName}, {Environment.ProcessorCount} threads)",
            ["peak_gflops"] = MachinePeak.Gflops,
            ["workloads"] = rows,
        };
        string json = doc.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        if (outPath is not null) File.WriteAllText(outPath, json);
        return 0;
    }

    private static string Throughput(TableWorkload w, double seconds) =>
        w.Flops > 0 ? $"{w.Flops / seconds / 1e9,8:F1} GFLOP/s" : $"{w.Images / seconds,8:F1} img/s";

    /// <summary>The 1-minute load average when a workload starts (Linux), so a shared machine's figures say how shared it was.</summary>
    private static double? LoadAverage()
    {
        try
        {
            var first = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            return double.Parse(first, System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    private static string? Option(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
