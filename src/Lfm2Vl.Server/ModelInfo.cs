using Lfm2Vl.Training.Checkpoints;
using Lfm2Vl.Training.Evaluation;
using Lfm2Vl.Vision.Data;

namespace Lfm2Vl.Server;

/// <summary>What GET /model tells about the served model.</summary>
public sealed record ModelInfo(
    string Name, string Backbone, string Variant, int InputSize, bool Detection,
    IReadOnlyList<string> Classes, float[] NormalizeMean, float[] NormalizeStd,
    IReadOnlyDictionary<string, double> Metrics, string EngineVersion)
{
    public static ModelInfo From(CheckpointMetadata m) => new(
        m.Model.Name, m.Model.Backbone, m.Model.Variant, m.Model.InputSize, m.Model.Detection,
        m.ClassNames, m.NormalizeMean, m.NormalizeStd, m.Metrics, m.EngineVersion);

    /// <summary>The evaluator for a loaded checkpoint, with the transforms `lfm2vl predict` uses.</summary>
    public static ModelEvaluator EvaluatorFor(LoadedModel loaded, EvaluatorOptions? options = null) => new(loaded.Model, loaded.Metadata.ClassNames,
        new TransformConfig { ImageSize = loaded.Metadata.Model.InputSize, Mean = loaded.Metadata.NormalizeMean, Std = loaded.Metadata.NormalizeStd }, options);
}
