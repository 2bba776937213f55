using Lfm2Vl.Deploy.Graph;
using Lfm2Vl.Deploy.Inference;
using Lfm2Vl.Deploy.Vit;
using Lfm2Vl.Vision.Models;

namespace Lfm2Vl.Deploy;

/// <summary>Turns a trained model into its float32 inference form: no autograd, weights packed once.</summary>
public static class InferenceCompiler
{
    /// <summary>A CNN: BatchNorm folded, bias and ReLU fused.</summary>
    public static InferenceModel CompileFloat(Lfm2VlModel model) => new(CnnLowering.Lower(model));

    /// <summary>A ViT: packed-weight GEMMs with fused bias and residual adds, vectorized LayerNorm/GELU/softmax.</summary>
    public static VitInferenceModel CompileVit(Lfm2VlModel model) => new(model);

    /// <summary>Whichever compiled path fits the model (CNN graph or ViT).</summary>
    public static IInferenceModel Compile(Lfm2VlModel model) =>
        model.Backbone is VitBackbone ? CompileVit(model) : CompileFloat(model);

    public static bool CanCompile(Lfm2VlModel model) => model.Backbone is VitBackbone || CnnLowering.CanLower(model);
}
