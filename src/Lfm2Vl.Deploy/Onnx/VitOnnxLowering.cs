using Lfm2Vl.Vision.Models;

namespace Lfm2Vl.Deploy.Onnx;

/// <summary>
/// Writes a ViT recognition model as ONNX: patch-embedding Conv, class token (expanded to the dynamic batch) and
/// position embeddings, pre-norm blocks (LayerNormalization, fused-QKV attention as MatMul/Softmax, GELU MLP),
/// final LayerNorm, the class token, then the neck and the classifier.
/// </summary>
internal static class VitOnnxLowering
{
    public static void Emit(OnnxGraphBuilder g, Lfm2VlModel model, string input)
    {
        var vit = (VitBackbone)model.Backbone;
        int d = vit.Dim, grid = model.Config.InputSize / vit.Patch, tokens = grid * grid;
        var pe = vit.PatchEmbed;
        string conv = g.Node("Conv",
            [input, g.Initializer("patch_embed.weight", pe.Weight.Data.ToFloatArray(), d, 3, vit.Patch, vit.Patch),
             g.Initializer("patch_embed.bias", pe.Bias!.Data.ToFloatArray(), d)],
            OnnxAttribute.Ints("kernel_shape", vit.Patch, vit.Patch), OnnxAttribute.Ints("strides", vit.Patch, vit.Patch));
        string flat = g.Node("Reshape", [conv, OnnxOps.Int64Const(g, "shape_patches", 0, d, -1)]);
        string patches = g.Node("Transpose", [flat], OnnxAttribute.Ints("perm", 0, 2, 1));          // [N, T, D]

        // The class token broadcast to [N, 1, D]: the batch size is read from the input's shape.
        string batch = g.Node("Slice", [g.Node("Shape", [input]), OnnxOps.Int64Const(g, "slice_start0", 0), OnnxOps.Int64Const(g, "slice_end1", 1)]);
        string clsShape = g.Node("Concat", [batch, OnnxOps.Int64Const(g, "shape_1_d", 1, d)], OnnxAttribute.Int("axis", 0));
        string cls = g.Node("Expand", [g.Initializer("tokens.cls_token", vit.Tokens.ClassToken.Data.ToFloatArray(), 1, 1, d), clsShape]);
        string x = g.Node("Concat", [cls, patches], OnnxAttribute.Int("axis", 1));
        float[] pos;
        using (Engine.GradMode.NoGrad()) pos = vit.Tokens.PositionFor(grid, grid).ToFloatArray();
        x = g.Node("Add", [x, g.Initializer("tokens.pos_embed", pos, 1, tokens + 1, d)]);

        string[] qkvIndex = [g.InitializerInt64("index_q", [0]), g.InitializerInt64("index_k", [1]), g.InitializerInt64("index_v", [2])];
        string scale = g.Scalar("attention_scale", 1f / MathF.Sqrt(d / BlockHeads(vit)));
        for (int i = 0; ; i++)
        {
            if (!TryBlock(vit, i, out var block)) break;
            string p = $"block{i}";
            int heads = block.Attn.Heads, dh = block.Attn.HeadDim;
            string h = OnnxOps.LayerNorm(g, x, block.Norm1, p + ".norm1");
            string qkv = OnnxOps.MatMulAdd(g, h, block.Attn.Qkv, p + ".attn.qkv");                    // [N, L, 3D]
            string split = g.Node("Transpose", [g.Node("Reshape", [qkv, OnnxOps.Int64Const(g, p + ".shape_qkv", 0, 0, 3, heads, dh)])],
                OnnxAttribute.Ints("perm", 2, 0, 3, 1, 4));                                                // [3, N, H, L, Dh]
            string Part(int j) => g.Node("Gather", [split, qkvIndex[j]], OnnxAttribute.Int("axis", 0));          // scalar index: [N, H, L, Dh]
            string q = Part(0), k = Part(1), v = Part(2);
            string scores = g.Node("Mul", [g.Node("MatMul", [q, g.Node("Transpose", [k], OnnxAttribute.Ints("perm", 0, 1, 3, 2))]), scale]);
            string attn = g.Node("MatMul", [g.Node("Softmax", [scores], OnnxAttribute.Int("axis", -1)), v]);        // [N, H, L, Dh]
            string merged = g.Node("Reshape", [g.Node("Transpose", [attn], OnnxAttribute.Ints("perm", 0, 2, 1, 3)), OnnxOps.Int64Const(g, p + ".shape_merge", 0, 0, d)]);
            x = g.Node("Add", [x, OnnxOps.MatMulAdd(g, merged, block.Attn.Proj, p + ".attn.proj")]);
            string h2 = OnnxOps.LayerNorm(g, x, block.Norm2, p + ".norm2");
            string mlp = OnnxOps.MatMulAdd(g, OnnxOps.Gelu(g, OnnxOps.MatMulAdd(g, h2, block.Fc1, p + ".fc1")), block.Fc2, p + ".fc2");
            x = g.Node("Add", [x, mlp]);
        }
        x = OnnxOps.LayerNorm(g, x, vit.Norm, "norm");
        string pooled = g.Node("Gather", [x, g.InitializerInt64("index_cls", [0], [])], OnnxAttribute.Int("axis", 1));   // [N, D]
        string features = OnnxOps.Gelu(g, OnnxOps.Gemm(g, pooled, model.Neck.Proj, "neck.proj"));
        g.Node("Gemm", [features, g.Initializer("classifier.fc.weight", model.Classifier.Fc.Weight.Data.ToFloatArray(), model.Config.NumClasses, model.Config.FeatureDim),
            g.Initializer("classifier.fc.bias", model.Classifier.Fc.Bias!.Data.ToFloatArray(), model.Config.NumClasses)], "logits", OnnxAttribute.Int("transB", 1));
    }

    private static int BlockHeads(VitBackbone vit) => TryBlock(vit, 0, out var b) ? b.Attn.Heads : 1;

    private static bool TryBlock(VitBackbone vit, int i, out TransformerBlock block)
    {
        var found = vit.NamedChildren().FirstOrDefault(c => c.Name == $"block{i}").Module;
        block = (found as TransformerBlock)!;
        return found is TransformerBlock;
    }
}
