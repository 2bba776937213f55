using Lfm2Vl.Deploy;
using Lfm2Vl.Engine;
using Lfm2Vl.Vision.Models;

// Usage: dotnet run -c Release --project benchmarks/Lfm2Vl.Deploy.Bench -- [small|resnet18|vit|all|kernels|runtime|gemm-shapes] [--int8] [--ort] [--report] [--profile [--batch32]]
//        ... -- aot-fixture DIR VARIANT SIZE   (a checkpoint and images for lfm2vl-predict)
//        ... -- quant-sweep CHECKPOINT DATA [CALIBRATION_IMAGES] [--test]   (int8 recipes' validation (or test) accuracy)
// Prints latency at batch 1 and throughput at batch 32 for the eval-mode engine model and the deployment paths.
if (args.Contains("kernels")) { KernelBench.Run(); return; }
if (args.Contains("runtime")) { RuntimeBench.Run(); return; }
if (args.Contains("gemm-shapes")) { GemmShapeBench.Run(); return; }
if (args.Length >= 3 && args[0] == "quant-sweep") { QuantSweep.Run(args[1], args[2], args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 256,
    args.Contains("--test") ? Lfm2Vl.Vision.Data.DatasetSplit.Test : Lfm2Vl.Vision.Data.DatasetSplit.Val); return; }
if (args.Length >= 4 && args[0] == "aot-fixture") { AotFixture.Write(args[1], args[2], int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture)); return; }
string which = args.FirstOrDefault(a => !a.StartsWith("--")) ?? "all";
bool int8 = args.Contains("--int8");
bool ort = args.Contains("--ort");
var cases = new List<(string Variant, int Size)>();
if (which is "all" or "small") cases.Add(("small", 64));
if (which is "all" or "resnet18") cases.Add(("resnet18", 224));
if (which is "all" or "vit") cases.Add(("vit-ti", 224));
Console.WriteLine($"cores: {Environment.ProcessorCount}, Vector512 accelerated: {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}");
var results = new List<(string Model, string Path, LatencyResult Result)>();
foreach (var (variant, size) in cases)
{
    bool vit = variant.StartsWith("vit", StringComparison.Ordinal);
    var model = ModelRegistry.Create(new ModelConfig { Backbone = vit ? "vit" : "cnn", Variant = variant.Replace("vit-", ""), InputSize = size, NumClasses = 10 });
    model.Eval();
    Tensor Eager(Tensor x)
    {
        using var noGrad = GradMode.NoGrad();
        using var scope = TensorScope.Begin();
        return model.Forward(x).Logits.Clone().Persist();
    }
    var paths = new List<(string, Func<Tensor, Tensor>)> { ("eager eval", Eager) };
    using var peer = ort ? new OrtRunner(model) : null;
    if (peer is not null) paths.Add(("onnxruntime", peer.Predict));
    if (vit)
    {
        var compiledVit = InferenceCompiler.CompileVit(model);
        paths.Add(("compiled f32", compiledVit.Predict));
        if (args.Contains("--profile"))
        {
            using var one = Tensor.Randn([1, 3, size, size], new Generator(2));
            for (int i = 0; i < 20; i++) compiledVit.Profile(one);
            var runs = Enumerable.Range(0, 15).Select(_ => compiledVit.Profile(one)).ToList();
            var best = runs[0].Select((e, i) => (e.Stage, Ms: runs.Min(r => r[i].Ms))).ToList();
            Console.WriteLine($"{variant}@{size} compiled f32 batch 1, per-stage minimum over {runs.Count} runs (summed over blocks); sum {best.Sum(b => b.Ms):F2} ms");
            foreach (var (stage, ms) in best) Console.WriteLine($"  {stage,-10} {ms,8:F3} ms");
            continue;
        }
        Measure(paths);
        continue;
    }
    if (args.Contains("--report"))
    {
        // What `lfm2vl optimize` prints, on an untrained model with random calibration images (no accuracy).
        var calibration = new[] { Tensor.Randn([16, 3, size, size], new Generator(10)).Persist() };
        foreach (var target in new[] { OptimizationTarget.Server, OptimizationTarget.Mobile })
            Console.Write(ModelOptimizer.Optimize(model, target, calibration, new OptimizationOptions { ThroughputBatch = 32 }).Report.ToText());
        continue;
    }
    var folded = InferenceCompiler.CompileFloat(model);
    paths.Add(("folded f32", folded.Predict));
    var profiled = folded;
    if (int8)
    {
        var calibration = new[] { Tensor.Randn([8, 3, size, size], new Generator(10)).Persist() };
        profiled = ModelOptimizer.Quantize(model, calibration);
        paths.Add(("int8", profiled.Predict));
    }
    if (args.Contains("--profile"))
    {
        int profileBatch = args.Contains("--batch32") ? 32 : 1;
        using var x = Tensor.Randn([profileBatch, 3, size, size], new Generator(2));
        for (int i = 0; i < 3; i++) profiled.Profile(x);
        var runs = Enumerable.Range(0, profileBatch == 1 ? 15 : 3).Select(_ => profiled.Profile(x)).ToList();
        var best = runs[0].Select((e, i) => (e.Node, Ms: runs.Min(r => r[i].Ms))).ToList();
        Console.WriteLine($"{variant}@{size} {profiled.Precision} batch {profileBatch}, per-node minimum over {runs.Count} runs; sum {best.Sum(b => b.Ms):F2} ms");
        foreach (var (node, ms) in best)
            Console.WriteLine($"  {node.Output,-8} {node.GetType().Name,-18} {ms,8:F3} ms" + (node is Lfm2Vl.Deploy.Graph.ConvNode c ? $"  {c.InChannels}->{c.OutChannels} k{c.Kernel} s{c.Stride}" : ""));
        continue;
    }
    Measure(paths);

    void Measure(List<(string, Func<Tensor, Tensor>)> measured)
    {
        // The reference batches: 64 for the small CNN, 32 for the 224x224 models.
        foreach (int batch in new[] { 1, variant == "small" ? 64 : 32 })
            foreach (var (name, f) in measured)
            {
                var result = LatencyMeter.Measure(f, batch, size, minSeconds: batch == 1 ? 2 : 4, maxRuns: 100);
                results.Add(($"{variant}@{size}", name, result));
                Console.WriteLine($"{variant}@{size} {name,-11} {result}");
            }
    }
}
if (results.Count > 0) Console.Write(PeerTable.Markdown(results));
