namespace Lfm2Vl.Engine.Tests.Reference;

/// <summary>
/// The engine call for each fixture op name (meta.op), mirroring what gen_core_fixtures.py ran in torch.
/// Inputs arrive in meta.inputs order: float ones in the dtype under test, index/mask ones as int32.
/// </summary>
public static class CoreOps
{
    private static FixtureOp One(Func<FixtureInputs, FixtureArgs, DType, Tensor> f) => (x, a, d) => [f(x, a, d)];
    private static FixtureOp Unary(Func<Tensor, Tensor> f) => (x, _, _) => [f(x[0])];
    private static FixtureOp Binary(Func<Tensor, Tensor, Tensor> f) => (x, _, _) => [f(x[0], x[1])];

    /// <summary>Ops whose output is int32 whatever the input dtype; all others return the dtype under test.</summary>
    public static readonly IReadOnlySet<string> IntegerOutput = new HashSet<string> { "argmax" };

    public static readonly IReadOnlyDictionary<string, FixtureOp> ByName = new Dictionary<string, FixtureOp>
    {
        ["add"] = Binary(Tensor.Add),
        ["sub"] = Binary(Tensor.Sub),
        ["mul"] = Binary(Tensor.Mul),
        ["div"] = Binary(Tensor.Div),
        ["pow_tensor"] = Binary(Tensor.Pow),
        ["matmul"] = Binary(Tensor.MatMul),

        ["neg"] = Unary(t => t.Neg()),
        ["exp"] = Unary(t => t.Exp()),
        ["log"] = Unary(t => t.Log()),
        ["sqrt"] = Unary(t => t.Sqrt()),
        ["rsqrt"] = Unary(t => t.Rsqrt()),
        ["abs"] = Unary(t => t.Abs()),
        ["relu"] = Unary(t => t.Relu()),
        ["silu"] = Unary(t => t.Silu()),
        ["sigmoid"] = Unary(t => t.Sigmoid()),
        ["tanh"] = Unary(t => t.Tanh()),
        ["pow_scalar"] = One((x, a, _) => x[0].Pow(a.Double("exponent"))),
        ["clamp"] = One((x, a, _) => x[0].Clamp(a.DoubleOr("min", double.NegativeInfinity), a.DoubleOr("max", double.PositiveInfinity))),
        ["leaky_relu"] = One((x, a, _) => x[0].LeakyRelu(a.Double("slope"))),
        ["gelu"] = One((x, a, _) => x[0].Gelu(a.String("approximate") switch
        {
            "none" => GeluApproximation.None,
            "tanh" => GeluApproximation.Tanh,
            var s => throw new ArgumentException($"Unknown GELU approximation '{s}'."),
        })),

        ["sum"] = One((x, a, _) => x[0].Sum(a.AxesOrAll("axes"), a.Bool("keepdim"))),
        ["mean"] = One((x, a, _) => x[0].Mean(a.AxesOrAll("axes"), a.Bool("keepdim"))),
        ["amax"] = One((x, a, _) => x[0].Max(a.AxesOrAll("axes"), a.Bool("keepdim"))),
        ["amin"] = One((x, a, _) => x[0].Min(a.AxesOrAll("axes"), a.Bool("keepdim"))),
        ["var"] = One((x, a, _) => x[0].Var(a.AxesOrAll("axes"), a.Bool("keepdim"), a.Int("correction"))),
        ["std"] = One((x, a, _) => x[0].Std(a.AxesOrAll("axes"), a.Bool("keepdim"), a.Int("correction"))),
        ["argmax"] = One((x, a, _) => x[0].ArgMax(a.Int("dim"), a.Bool("keepdim"))),

        ["softmax"] = One((x, a, _) => x[0].Softmax(a.Int("dim"))),
        ["log_softmax"] = One((x, a, _) => x[0].LogSoftmax(a.Int("dim"))),

        ["cat"] = One((x, a, _) => Tensor.Concat(x.ToArray(), a.Int("dim"))),
        ["stack"] = One((x, a, _) => Tensor.Stack(x.ToArray(), a.Int("dim"))),
        ["split"] = (x, a, _) => a.Has("sizes") ? x[0].Split(a.Ints("sizes"), a.Int("dim")) : x[0].Split(a.Int("chunk"), a.Int("dim")),
        ["narrow"] = One((x, a, _) => x[0].Narrow(a.Int("dim"), a.Int("start"), a.Int("length"))),
        ["gather"] = One((x, a, _) => x[0].Gather(a.Int("dim"), x[1])),
        ["index_select"] = One((x, a, _) => x[0].IndexSelect(a.Int("dim"), x[1])),
        // The fixture stores the condition as int32 0/1; "float" cases feed it to the engine in the data dtype.
        ["where"] = One((x, a, d) => Tensor.Where(a.String("cond_dtype") == "float" ? x[0].To(d) : x[0], x[1], x[2])),
        ["masked_fill"] = One((x, a, _) => x[0].MaskedFill(x[1], a.Double("value"))),
        ["one_hot"] = One((x, a, d) => Tensor.OneHot(x[0], a.Int("num_classes"), d)),
        ["permute"] = One((x, a, _) => x[0].Permute(a.Ints("dims")).Contiguous()),
        ["transpose"] = One((x, a, _) => x[0].Transpose(a.Int("dim0"), a.Int("dim1")).Contiguous()),
    };
}
