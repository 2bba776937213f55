using Lfm2Vl.Deploy.Onnx;
using Lfm2Vl.Engine;
using Lfm2Vl.Vision.Models;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

/// <summary>ONNX Runtime on the model our exporter writes, as the peer in the same run (benchmark only).</summary>
internal sealed class OrtRunner : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string _path;

    public OrtRunner(Lfm2VlModel model)
    {
        _path = Path.Combine(Path.GetTempPath(), $"lfm2vl-bench-{Guid.NewGuid():N}.onnx");
        OnnxExporter.Export(model, _path);
        var options = new SessionOptions
        {
            IntraOpNumThreads = Environment.ProcessorCount,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(_path, options);
    }

    public Lfm2Vl.Engine.Tensor Predict(Lfm2Vl.Engine.Tensor images)
    {
        var input = new DenseTensor<float>(images.ToFloatArray(), images.Shape);
        using var results = _session.Run([NamedOnnxValue.CreateFromTensor("images", input)]);
        var logits = results[0].AsTensor<float>();
        return Lfm2Vl.Engine.Tensor.FromArray(logits.ToArray(), logits.Dimensions.ToArray());
    }

    public void Dispose()
    {
        _session.Dispose();
        File.Delete(_path);
    }
}
