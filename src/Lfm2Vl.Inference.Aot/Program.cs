using System.Diagnostics;
using System.Globalization;
using Lfm2Vl.Inference.Aot;

// lfm2vl-predict CHECKPOINT IMAGE... [--logits] [--timings]
// Prints each image's top-3 classes (and, with --logits, its raw logits, for comparing builds), then timings.
var startup = Stopwatch.StartNew();
var files = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
if (files.Count < 2)
{
    Console.Error.WriteLine("usage: lfm2vl-predict CHECKPOINT IMAGE... [--logits] [--timings]");
    return 2;
}
try
{
    var checkpoint = NativeCheckpoint.Load(files[0]);
    double checkpointMs = startup.Elapsed.TotalMilliseconds;
    var predictor = new NativePredictor(checkpoint);
    double loadMs = startup.Elapsed.TotalMilliseconds;
    var predictions = predictor.Predict(files.Skip(1).ToList());
    double firstMs = startup.Elapsed.TotalMilliseconds;
    var c = CultureInfo.InvariantCulture;
    foreach (var p in predictions)
    {
        Console.WriteLine($"{p.Image}: " + string.Join(", ", p.Top.Select(t => string.Create(c, $"{t.Class} {t.Probability:P1}"))));
        if (args.Contains("--logits")) Console.WriteLine("  logits " + string.Join(" ", p.Logits.Select(v => v.ToString("R", c))));
    }
    Console.WriteLine(string.Create(c, $"model {checkpoint.Model.Config.Name} ({predictor.Path}); loaded in {loadMs:F1} ms; first predictions after {firstMs:F1} ms; peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:F1} MB"));
    if (args.Contains("--timings"))
    {
        var (read, build, copy) = checkpoint.Timings;
        Console.WriteLine(string.Create(c, $"  read {read:F1} ms, build model {build:F1} ms, copy weights {copy:F1} ms, compile {loadMs - checkpointMs:F1} ms, predict {firstMs - loadMs:F1} ms"));
    }
    return 0;
}
catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or NotSupportedException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
