using Lfm2Vl.Engine;
using Lfm2Vl.Nn.Optim;
using Lfm2Vl.Vision.Models;

namespace Lfm2Vl.Benchmarks.Models;

/// <summary>
/// A model from <see cref="ModelRegistry"/> (backbone, 256-d neck, dropout + linear head: what `lfm2vl train`
/// trains) with a fixed random batch, and the two things the model benchmarks time: one training step
/// (forward, cross-entropy, backward, AdamW step) and one inference call (eval mode, no grad). Both run inside a
/// <see cref="TensorScope"/>, so their intermediates go back to the pool at the end of the call.
/// </summary>
public sealed class ModelWorkload : IDisposable
{
    private readonly Tensor _images;
    private readonly Tensor _labels;
    private readonly AdamW _optimizer;

    public ModelWorkload(ModelCase c)
    {
        Case = c;
        Model = ModelRegistry.Create(new ModelConfig
        {
            Backbone = c.Backbone, Variant = c.Variant, InputSize = c.ImageSize, NumClasses = ModelCase.Classes, Seed = 1,
        });
        var gen = new Generator(7);
        _images = Tensor.Randn([c.Batch, 3, c.ImageSize, c.ImageSize], gen).Persist();
        var labels = new int[c.Batch];
        for (int i = 0; i < labels.Length; i++) labels[i] = i % ModelCase.Classes;
        _labels = Tensor.FromArray(labels, c.Batch).Persist();
        _optimizer = new AdamW(Model.Parameters(), lr: 1e-4);
    }

    public ModelCase Case { get; }
    public Lfm2VlModel Model { get; }

    /// <summary>One optimizer step on the fixed batch; returns the loss.</summary>
    public double TrainStep()
    {
        Model.Train();
        using var scope = TensorScope.Begin();
        var loss = Functional.CrossEntropy(Model.Forward(_images).Logits, _labels);
        loss.Backward();
        _optimizer.Step();
        _optimizer.ZeroGrad();
        return loss.Item();
    }

    /// <summary>One forward pass in eval mode without autograd; returns the first logit so the work is observed.</summary>
    public double Infer()
    {
        Model.Eval();
        using var noGrad = GradMode.NoGrad();
        using var scope = TensorScope.Begin();
        return Model.Forward(_images).Logits.Narrow(1, 0, 1).Narrow(0, 0, 1).Item();
    }

    public void Dispose()
    {
        _images.Dispose();
        _labels.Dispose();
    }
}
