using Lfm2Vl.Nn.Layers;
using Lfm2Vl.Nn.Modules;

namespace Lfm2Vl.Deploy.Onnx;

/// <summary>Small subgraphs shared by the CNN and ViT exports (linear layers, exact GELU, LayerNorm).</summary>
internal static class OnnxOps
{
    /// <summary>Exact GELU for opset 17 (Gelu itself arrives in opset 20): 0.5 * x * (1 + erf(x / sqrt(2))).</summary>
    public static string Gelu(OnnxGraphBuilder g, string x)
    {
        string sqrt2 = ScalarOnce(g, "const_sqrt2", MathF.Sqrt(2f));
        string one = ScalarOnce(g, "const_one", 1f);
        string half = ScalarOnce(g, "const_half", 0.5f);
        var erf = g.Node("Erf", [g.Node("Div", [x, sqrt2])]);
        return g.Node("Mul", [g.Node("Mul", [x, g.Node("Add", [erf, one])]), half]);
    }

    /// <summary>[N, in] -> [N, out] as one Gemm (transB = 1, so the weight keeps its [out, in] layout).</summary>
    public static string Gemm(OnnxGraphBuilder g, string x, float[] weight, float[] bias, int outFeatures, int inFeatures, string prefix)
    {
        string w = g.Initializer(prefix + ".weight", weight, outFeatures, inFeatures);
        string b = g.Initializer(prefix + ".bias", bias, outFeatures);
        return g.Node("Gemm", [x, w, b], OnnxAttribute.Int("transB", 1));
    }

    public static string Gemm(OnnxGraphBuilder g, string x, Linear linear, string prefix) =>
        Gemm(g, x, linear.Weight.Data.ToFloatArray(), BiasOf(linear), linear.OutFeatures, linear.InFeatures, prefix);

    /// <summary>[..., in] -> [..., out] for rank-3 tokens: MatMul with W^T [in, out], then Add the bias.</summary>
    public static string MatMulAdd(OnnxGraphBuilder g, string x, Linear linear, string prefix)
    {
        float[] w = linear.Weight.Data.ToFloatArray();
        int o = linear.OutFeatures, i = linear.InFeatures;
        var wt = new float[w.Length];
        for (int r = 0; r < o; r++)
            for (int c = 0; c < i; c++) wt[c * o + r] = w[r * i + c];
        string wName = g.Initializer(prefix + ".weight_t", wt, i, o);
        var y = g.Node("MatMul", [x, wName]);
        if (linear.Bias is null) return y;
        return g.Node("Add", [y, g.Initializer(prefix + ".bias", BiasOf(linear), o)]);
    }

    public static string LayerNorm(OnnxGraphBuilder g, string x, LayerNorm norm, string prefix)
    {
        string scale = g.Initializer(prefix + ".weight", norm.Weight?.Data.ToFloatArray() ?? Enumerable.Repeat(1f, norm.Features).ToArray(), norm.Features);
        string bias = g.Initializer(prefix + ".bias", norm.Bias?.Data.ToFloatArray() ?? new float[norm.Features], norm.Features);
        return g.Node("LayerNormalization", [x, scale, bias], OnnxAttribute.Int("axis", -1), OnnxAttribute.Float("epsilon", (float)norm.Eps));
    }

    public static string Int64Const(OnnxGraphBuilder g, string name, params long[] values) =>
        g.InitializerInt64(name, values, values.Length);

    private static float[] BiasOf(Linear l) => l.Bias?.Data.ToFloatArray() ?? new float[l.OutFeatures];

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<OnnxGraphBuilder, HashSet<string>> Constants = new();

    private static string ScalarOnce(OnnxGraphBuilder g, string name, float value)
    {
        var made = Constants.GetOrCreateValue(g);
        if (made.Add(name)) g.Scalar(name, value);
        return name;
    }
}
