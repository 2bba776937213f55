using Lfm2Vl.Engine;

namespace Lfm2Vl.Deploy.Inference;

/// <summary>A compiled model that predicts logits from images: the CNN graph executor or the compiled ViT.</summary>
public interface IInferenceModel
{
    string Name { get; }
    string Precision { get; }
    int InputSize { get; }
    int NumClasses { get; }
    /// <summary>Bytes of weights held for inference.</summary>
    long WeightBytes { get; }
    /// <summary>images [N, 3, S, S] float32 -> logits [N, classes]; the caller owns (disposes) the result.</summary>
    Tensor Predict(Tensor images);
}
