using Lfm2Vl.Deploy.Graph;
using Lfm2Vl.Deploy.Inference;
using Lfm2Vl.Vision.Models;

namespace Lfm2Vl.Deploy;

/// <summary>Turns a trained model into its float32 inference form: BatchNorm folded, bias and ReLU fused, no autograd.</summary>
public static class InferenceCompiler
{
    public static InferenceModel CompileFloat(Lfm2VlModel model) => new(CnnLowering.Lower(model));
}
