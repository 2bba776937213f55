using System.Text.Json.Serialization;

namespace Lfm2Vl.Training.Evaluation;

/// <summary>A class and its softmax probability.</summary>
public sealed record ClassProbability(int ClassIndex, string ClassName, double Probability);

/// <summary>A detected box in the original image's pixels (x1, y1, x2, y2), its class and score.</summary>
public sealed record PredictedBox(int ClassIndex, string ClassName, double Score, double X1, double Y1, double X2, double Y2);

/// <summary>
/// What the model says about one image: the top-k classes, most probable first, and (for a model with a
/// detector) the detected boxes, best first. <see cref="Width"/> and <see cref="Height"/> are the original
/// image's size.
/// </summary>
public sealed record ImagePrediction(string Path, int Width, int Height, IReadOnlyList<ClassProbability> TopK, IReadOnlyList<PredictedBox> Boxes)
{
    [JsonIgnore]
    public ClassProbability Best => TopK[0];
}
