using Lfm2Vl.Training.Checkpoints;
using Lfm2Vl.Training.Evaluation;
using Lfm2Vl.Vision.Detection;
using Lfm2Vl.Vision.Data;
using Lfm2Vl.Vision.Models;

namespace Lfm2Vl.Server.Tests;

/// <summary>A small untrained model (cnn/small, 32x32 input, with a detector) saved as a real checkpoint, and test images.</summary>
internal static class TestModel
{
    public static readonly string[] Classes = ["circle", "square", "triangle"];

    /// <summary>No score threshold, so the untrained detector (class prior ~0.01) reports boxes and the box comparison means something.</summary>
    public static readonly EvaluatorOptions Options = new() { PredictDecode = new DecodeOptions(ScoreThreshold: 0f, MaxDetections: 5) };

    private static readonly Lazy<string> Saved = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), "lfm2vl-server-tests-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "model.safetensors");
        var config = new ModelConfig { Backbone = "cnn", Variant = "small", NumClasses = Classes.Length, InputSize = 32, Detection = true, Seed = 7 };
        var model = ModelRegistry.Create(config);
        Checkpoint.Save(path, model, new CheckpointMetadata { Model = config, ClassNames = Classes, Metrics = new() { ["accuracy"] = 0.5, ["map"] = double.NaN } });
        return path;
    });

    public static string CheckpointFile => Saved.Value;

    /// <summary>A deterministic colourful image (different for each seed), encoded as PNG or JPEG.</summary>
    public static byte[] Encoded(int seed, int width = 48, int height = 40, ImageFileFormat format = ImageFileFormat.Png) =>
        ImageEncoder.Encode(Image(seed, width, height), format);

    public static ImageRgb Image(int seed, int width = 48, int height = 40)
    {
        var image = new ImageRgb(width, height);
        var rng = new Random(seed);
        int cx = rng.Next(width), cy = rng.Next(height), r = 4 + rng.Next(12);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                bool inside = (x - cx) * (x - cx) + (y - cy) * (y - cy) < r * r;
                image.SetPixel(x, y, (byte)(inside ? 250 : x * 5), (byte)(inside ? 40 : y * 6), (byte)((seed * 37) & 255));
            }
        return image;
    }
}
