using Lfm2Vl.Deploy.Graph;
using Lfm2Vl.Training;
using Lfm2Vl.Vision.Models;

namespace Lfm2Vl.Deploy.Onnx;

/// <summary>What an export wrote.</summary>
public sealed record OnnxExportResult(string Path, long Bytes, int Opset, int Nodes, IReadOnlyCollection<string> OpTypes, int InputSize, int NumClasses);

/// <summary>
/// Exports a recognition model's classification path (images [N, 3, S, S] -> logits [N, classes], batch dynamic,
/// S the model's input size) as an ONNX model with its weights as initializers. CNNs are exported from their
/// lowered graph (BatchNorm folded into the convs); ViTs block by block. The detection head is not exported.
/// </summary>
public static class OnnxExporter
{
    public const int DefaultOpset = 17;

    public static OnnxExportResult Export(Lfm2VlModel model, string path, int opset = DefaultOpset)
    {
        var bytes = ToBytes(model, opset, out var builder);
        AtomicFile.Write(path, s => s.Write(bytes));
        return new OnnxExportResult(path, bytes.Length, opset, builder.NodeCount, builder.OpTypes, model.Config.InputSize, model.Config.NumClasses);
    }

    public static byte[] ToBytes(Lfm2VlModel model, int opset = DefaultOpset) => ToBytes(model, opset, out _);

    private static byte[] ToBytes(Lfm2VlModel model, int opset, out OnnxGraphBuilder g)
    {
        // Opset 17 is the oldest with LayerNormalization; the ops used have not changed meaning since.
        if (opset < 17) throw new ArgumentOutOfRangeException(nameof(opset), $"ONNX export needs opset 17 or newer, got {opset}.");
        var config = model.Config;
        g = new OnnxGraphBuilder(config.Name);
        const string input = "images";
        g.Input(input, null, 3, config.InputSize, config.InputSize);
        if (model.Backbone is VitBackbone) VitOnnxLowering.Emit(g, model, input);
        else CnnOnnxLowering.Emit(g, CnnLowering.Lower(model));
        g.Output("logits", null, config.NumClasses);
        string version = typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "0";
        return g.ToModel(opset, "lfm2vl", version, $"{config.Name}, {config.NumClasses} classes, input {config.InputSize}x{config.InputSize}");
    }
}
