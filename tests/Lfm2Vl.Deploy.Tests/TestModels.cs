using Lfm2Vl.Engine;
using Lfm2Vl.Nn.Layers;
using Lfm2Vl.Vision.Models;

namespace Lfm2Vl.Deploy.Tests;

/// <summary>Models with non-trivial BatchNorm statistics and affine terms, so folding has something to fold.</summary>
internal static class TestModels
{
    public static Lfm2VlModel Create(string backbone, string variant, int inputSize, int numClasses = 7, ulong seed = 3)
    {
        var model = ModelRegistry.Create(new ModelConfig { Backbone = backbone, Variant = variant, InputSize = inputSize, NumClasses = numClasses, Seed = seed });
        RandomizeBatchNorms(model, seed + 100);
        model.Eval();
        return model;
    }

    public static void RandomizeBatchNorms(Lfm2VlModel model, ulong seed)
    {
        var gen = new Generator(seed);
        using var noGrad = GradMode.NoGrad();
        foreach (var (_, m) in model.NamedModules())
        {
            if (m is not BatchNorm2d bn) continue;
            int c = bn.Channels;
            using (var t = Tensor.Randn([c], gen, 0, 0.1)) bn.RunningMean.CopyFrom(t);
            using (var t = Tensor.Rand([c], gen, 0.5, 2.0)) bn.RunningVar.CopyFrom(t);
            using (var t = Tensor.Rand([c], gen, 0.5, 1.5)) bn.Weight!.Data.CopyFrom(t);
            using (var t = Tensor.Randn([c], gen, 0, 0.1)) bn.Bias!.Data.CopyFrom(t);
        }
    }

    public static Tensor Images(int n, int size, ulong seed) => Tensor.Randn([n, 3, size, size], new Generator(seed)).Persist();

    /// <summary>The eval-mode engine model's logits (the reference every deployment path is compared with).</summary>
    public static float[] ReferenceLogits(Lfm2VlModel model, Tensor images)
    {
        using var noGrad = GradMode.NoGrad();
        using var scope = TensorScope.Begin();
        return model.Forward(images).Logits.ToFloatArray();
    }

    /// <summary>Fails when logits are so small that a 1e-4 tolerance would say nothing.</summary>
    public static void AssertInformative(float[] logits)
    {
        double max = logits.Max(v => Math.Abs((double)v));
        if (!(max >= 0.1)) throw new Xunit.Sdk.XunitException($"Logits too small to compare meaningfully (max |logit| = {max:E2}).");
    }

    public static double MaxAbsDiff(float[] a, float[] b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"Lengths differ: {a.Length} vs {b.Length}.");
        double m = 0;
        for (int i = 0; i < a.Length; i++) m = Math.Max(m, Math.Abs((double)a[i] - b[i]));
        return m;
    }
}
