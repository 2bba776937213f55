using System.Diagnostics;
using System.Globalization;
using Lfm2Vl.Inference.Aot;
using Lfm2Vl.Training.Checkpoints;
using Lfm2Vl.Vision.Data;
using Lfm2Vl.Vision.Models;
using Xunit;
using Xunit.Abstractions;

namespace Lfm2Vl.Deploy.Tests.Aot;

/// <summary>
/// The deployment issue's CI check: the NativeAOT publish of lfm2vl-predict works, and the native executable's
/// predictions equal the JIT build's (this test process running the same predictor code) for a CNN and two ViTs.
/// Takes about 1-2 minutes on 2 cores (most of it the publish); more on a clean clone, which restores the ILCompiler.
/// </summary>
public class AotPredictorTests(ITestOutputHelper output)
{
    private static readonly TimeSpan PublishLimit = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan PredictLimit = TimeSpan.FromMinutes(2);

    [Fact]
    public void NativeExecutablePredictsLikeTheJitBuild()
    {
        if (!OperatingSystem.IsLinux() || !System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
        {
            // The project publishes for linux-x64 with x86-64-v4 (AVX-512); elsewhere the executable cannot start.
            output.WriteLine("skipped: the native predictor targets linux-x64 with AVX-512");
            return;
        }
        string work = Path.Combine(Path.GetTempPath(), $"lfm2vl-aot-{Guid.NewGuid():N}");
        try
        {
            string exe = AotPublisher.Publish(work, PublishLimit);
            output.WriteLine($"published; executable {new FileInfo(exe).Length / 1e6:F2} MB");
            var images = WriteImages(Path.Combine(work, "images"));
            foreach (var (backbone, variant, size) in new[] { ("cnn", "small", 64), ("vit", "micro", 64), ("vit", "ti", 224) })
            {
                string checkpoint = WriteCheckpoint(work, backbone, variant, size);
                var native = RunNative(exe, checkpoint, images);
                var jit = new NativePredictor(NativeCheckpoint.Load(checkpoint)).Predict(images);
                string name = $"{backbone}-{variant}@{size}";
                Assert.True(native.Logits.Count == images.Count, $"{name}: the native executable printed {native.Logits.Count} logit rows for {images.Count} images:\n{native.Output}");
                int identical = 0;
                for (int i = 0; i < images.Count; i++)
                {
                    float[] n = native.Logits[i], j = jit[i].Logits;
                    Assert.True(n.Length == j.Length, $"{name}, image {i}: {n.Length} native logits vs {j.Length} JIT logits");
                    Assert.True(j.Max(Math.Abs) > 1e-3, $"{name}: logits are all near zero; the comparison would say nothing");
                    int nTop = ModelOptimizer.ArgMax(n), jTop = ModelOptimizer.ArgMax(j);
                    Assert.True(nTop == jTop, $"{name}, image {i}: native predicts class {nTop}, JIT class {jTop}");
                    double diff = TestModels.MaxAbsDiff(n, j);
                    identical += diff == 0 ? 1 : 0;
                    // Both builds run the same code with the same vector width; only the JIT/ILC code generation differs.
                    Assert.True(diff <= 1e-6 * Math.Max(1, j.Max(Math.Abs)), $"{name}, image {i}: native and JIT logits differ by {diff:E2} (native {string.Join(' ', n)}, JIT {string.Join(' ', j)})");
                }
                output.WriteLine($"{name}: native == JIT on {images.Count} images ({identical} bit-identical); {native.Output.Split('\n').First(l => l.StartsWith("model", StringComparison.Ordinal))}");
            }
        }
        finally
        {
            try { if (Directory.Exists(work)) Directory.Delete(work, recursive: true); }
            catch (IOException) { /* a killed publish may still hold files; the temp folder is left behind */ }
        }
    }

    private static List<string> WriteImages(string dir)
    {
        SyntheticDatasetWriter.Write(dir, new SyntheticDatasetOptions
        {
            ImageWidth = 96, ImageHeight = 96, TrainPerClass = 0, ValPerClass = 1, TestPerClass = 0, Formats = [ImageFileFormat.Png], WriteAnnotations = false, Seed = 5,
        });
        return Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".png", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToList();
    }

    private static string WriteCheckpoint(string dir, string backbone, string variant, int size)
    {
        var config = new ModelConfig { Backbone = backbone, Variant = variant, InputSize = size, NumClasses = 5, Seed = 4 };
        var model = ModelRegistry.Create(config);
        if (backbone == "cnn") TestModels.RandomizeBatchNorms(model, 9);
        model.Eval();
        string path = Path.Combine(dir, $"{backbone}-{variant}-{size}.safetensors");
        Checkpoint.Save(path, model, new CheckpointMetadata { Model = config, ClassNames = ["circle", "cross", "face", "square", "triangle"] });
        return path;
    }

    private static (List<float[]> Logits, string Output) RunNative(string exe, string checkpoint, IReadOnlyList<string> images)
    {
        var start = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(checkpoint);
        foreach (var image in images) start.ArgumentList.Add(image);
        start.ArgumentList.Add("--logits");
        var (exit, text) = AotPublisher.Run(start, PredictLimit);
        if (exit != 0)
            throw new Xunit.Sdk.XunitException($"lfm2vl-predict {(exit is null ? "did not finish in time" : $"exited with {exit}")} on {Path.GetFileName(checkpoint)}:\n{text}");
        var rows = text.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("logits ", StringComparison.Ordinal))
            .Select(l => l["logits ".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray())
            .ToList();
        return (rows, text);
    }
}
