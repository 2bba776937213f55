using Lfm2Vl.Training.Evaluation;
using Lfm2Vl.Vision.Data;

namespace Lfm2Vl.Server;

/// <summary>Runs the model on decoded images. Implementations need not be thread-safe: the server calls one at a time.</summary>
public interface IPredictor
{
    IReadOnlyList<ImagePrediction> Predict(IReadOnlyList<(ImageRgb Image, string Name)> images, int topK);
}

/// <summary>The library's <see cref="ModelEvaluator"/> as a predictor (the same numbers as `lfm2vl predict`).</summary>
public sealed class EvaluatorPredictor(ModelEvaluator evaluator) : IPredictor
{
    public IReadOnlyList<ImagePrediction> Predict(IReadOnlyList<(ImageRgb Image, string Name)> images, int topK) =>
        evaluator.Predict(images, topK);
}
