using Lfm2Vl.Engine;
using Lfm2Vl.Training.Checkpoints;
using Lfm2Vl.Vision.Models;
using Xunit;

namespace Lfm2Vl.Training.Tests.Checkpoints;

/// <summary>Loading builds the model without random draws; what comes back must still be exactly what was saved.</summary>
public class CheckpointLoadTests
{
    [Theory]
    [InlineData("cnn", "small")]
    [InlineData("vit", "micro")]
    public void LoadedModelEqualsTheSavedOne(string backbone, string variant)
    {
        var config = new ModelConfig { Backbone = backbone, Variant = variant, NumClasses = 3, InputSize = 32, Detection = true, Seed = 5 };
        var model = ModelRegistry.Create(config);
        var x = Tensor.Randn([2, 3, 32, 32], new Generator(2));
        model.Train();
        model.Forward(x);   // moves BatchNorm's running statistics away from their initial values
        model.Eval();
        string path = Path.Combine(Path.GetTempPath(), $"ckpt-load-{Guid.NewGuid():N}.safetensors");
        try
        {
            Checkpoint.Save(path, model, new CheckpointMetadata { Model = config, ClassNames = ["a", "b", "c"] });
            var loaded = Checkpoint.LoadModel(path).Model;
            var saved = model.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.ToDoubleArray());
            var back = loaded.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.ToDoubleArray());
            Assert.Equal(saved.Keys.Order(), back.Keys.Order());
            foreach (var (name, values) in saved) Assert.Equal(values, back[name]);
            Assert.Equal(model.Forward(x).Logits.ToDoubleArray(), loaded.Forward(x).Logits.ToDoubleArray());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
