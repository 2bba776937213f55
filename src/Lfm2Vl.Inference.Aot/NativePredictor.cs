using Lfm2Vl.Deploy;
using Lfm2Vl.Deploy.Inference;
using Lfm2Vl.Engine;
using Lfm2Vl.Vision.Data;

namespace Lfm2Vl.Inference.Aot;

/// <summary>One image's top classes.</summary>
public sealed record Prediction(string Image, IReadOnlyList<(string Class, float Probability)> Top, float[] Logits);

/// <summary>
/// Classifies image files with a loaded checkpoint: decode, resize to the model's input size, normalize with the
/// checkpoint's statistics, then the compiled float32 inference path (the folded CNN graph or the compiled ViT).
/// </summary>
public sealed class NativePredictor
{
    private readonly NativeCheckpoint _checkpoint;
    private readonly IInferenceModel? _compiled;

    public NativePredictor(NativeCheckpoint checkpoint)
    {
        _checkpoint = checkpoint;
        if (InferenceCompiler.CanCompile(checkpoint.Model)) _compiled = InferenceCompiler.Compile(checkpoint.Model);
    }

    public string Path => _compiled switch
    {
        null => "engine eval",
        InferenceModel => "folded float32",
        _ => "compiled float32 ViT",
    };

    public Tensor Preprocess(IReadOnlyList<string> files)
    {
        int size = _checkpoint.Model.Config.InputSize, per = 3 * size * size;
        var pixels = new float[files.Count * per];
        var normalize = new Normalize(_checkpoint.Mean, _checkpoint.Std);
        var resize = new Resize(size, size);
        for (int i = 0; i < files.Count; i++)
        {
            var image = ImageDecoder.DecodeFile(files[i]);
            if (image.Width != size || image.Height != size) image = resize.Apply(image, new List<BoundingBox>(), new Generator(0), owned: true);
            ToTensor.Into(image, pixels.AsSpan(i * per, per), normalize);
        }
        return Tensor.FromArray(pixels, files.Count, 3, size, size);
    }

    public IReadOnlyList<Prediction> Predict(IReadOnlyList<string> files, int top = 3)
    {
        using var images = Preprocess(files);
        using var logits = Logits(images);
        int classes = logits.Size(1);
        var all = logits.ToFloatArray();
        var result = new List<Prediction>();
        for (int i = 0; i < files.Count; i++)
        {
            var row = all.AsSpan(i * classes, classes).ToArray();
            float max = row.Max();
            var exp = row.Select(v => MathF.Exp(v - max)).ToArray();
            float sum = exp.Sum();
            var best = Enumerable.Range(0, classes).OrderByDescending(c => row[c]).Take(top)
                .Select(c => (_checkpoint.ClassNames[c], exp[c] / sum)).ToList();
            result.Add(new Prediction(files[i], best, row));
        }
        return result;
    }

    private Tensor Logits(Tensor images)
    {
        if (_compiled is not null) return _compiled.Predict(images);
        using var noGrad = GradMode.NoGrad();
        using var scope = TensorScope.Begin();
        return _checkpoint.Model.Forward(images).Logits.Clone().Persist();
    }
}
