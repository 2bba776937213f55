using Lfm2Vl.Training.Checkpoints;
using Lfm2Vl.Vision.Data;
using Lfm2Vl.Vision.Models;

/// <summary>Writes a checkpoint and a few images for trying the native predictor (lfm2vl-predict).</summary>
internal static class AotFixture
{
    public static void Write(string dir, string variant, int size)
    {
        Directory.CreateDirectory(dir);
        var config = new ModelConfig { Backbone = variant.StartsWith("vit", StringComparison.Ordinal) ? "vit" : "cnn", Variant = variant.Replace("vit-", ""), InputSize = size, NumClasses = 5, Seed = 4 };
        var model = ModelRegistry.Create(config);
        model.Eval();
        string ckpt = Path.Combine(dir, $"{config.Variant}-{size}.safetensors");
        Checkpoint.Save(ckpt, model, new CheckpointMetadata { Model = config, ClassNames = ["circle", "cross", "face", "square", "triangle"] });
        SyntheticDatasetWriter.Write(Path.Combine(dir, "images"), new SyntheticDatasetOptions
        {
            ImageWidth = 96, ImageHeight = 96, TrainPerClass = 0, ValPerClass = 2, TestPerClass = 0, WriteAnnotations = false, Seed = 5,
        });
        Console.WriteLine($"wrote {ckpt} and images under {Path.Combine(dir, "images")}");
    }
}
