using Lfm2Vl.Engine.Ilgpu;
using static Lfm2Vl.Backends.Tests.Compare;

namespace Lfm2Vl.Backends.Tests;

/// <summary>
/// The backend-conformance suite, written once: every primitive's forward and backward, through the Tensor
/// ops, on the backend under test against the SIMD CPU backend. Shapes are small (the ILGPU CPU simulator is
/// slow) but deliberately not multiples of the GEMM tiles or group sizes, and inputs include broadcast and
/// non-contiguous views. Each concrete class below runs it for one backend.
/// </summary>
public abstract class ConformanceTests
{
    protected abstract BackendTarget Target { get; }

    [SkippableFact]
    public void Unary_ops_forward_and_backward_on_a_transposed_input()
    {
        var d = Target.Require();
        var ops = new (string, Func<Tensor, Tensor>)[]
        {
            ("neg", x => -x), ("exp", x => x.Exp()), ("log", x => (x.Abs() + 0.1).Log()), ("sqrt", x => (x.Abs() + 0.1).Sqrt()),
            ("rsqrt", x => (x.Abs() + 0.1).Rsqrt()), ("abs", x => x.Abs()), ("square", x => x.Square()),
            ("reciprocal", x => (x.Abs() + 0.5).Reciprocal()), ("pow", x => (x.Abs() + 0.1).Pow(2.5)), ("mulscalar", x => x * 3.0),
            ("clamp", x => x.Clamp(-0.5, 0.7)), ("relu", x => x.Relu()), ("leaky", x => x.LeakyRelu(0.1)), ("sigmoid", x => x.Sigmoid()),
            ("tanh", x => x.Tanh()), ("gelu", x => x.Gelu()), ("gelu-tanh", x => x.Gelu(GeluApproximation.Tanh)), ("silu", x => x.Silu()),
            ("sign", x => x.Sign() * x),
        };
        foreach (var (name, f) in ops)
            Check(name, d, [Randn(1, 7, 5)], t => f(t[0].T));
    }

    [SkippableFact]
    public void Binary_ops_broadcast_forward_and_backward()
    {
        var d = Target.Require();
        var ops = new (string, Func<Tensor, Tensor, Tensor>)[]
        {
            ("add", (a, b) => a + b), ("sub", (a, b) => a - b), ("mul", (a, b) => a * b), ("div", (a, b) => a / (b.Abs() + 0.5)),
            ("pow", (a, b) => Tensor.Pow(a.Abs() + 0.5, b)), ("max", Tensor.Maximum), ("min", Tensor.Minimum),
            ("cmp", (a, b) => Tensor.Greater(a, b) + Tensor.Less(a, b) * 2 + Tensor.Equal(a, a) * 4 + a * b),
        };
        foreach (var (name, f) in ops)
            Check(name, d, [Randn(2, 3, 1, 5), Randn(3, 4, 1)], t => f(t[0], t[1]));
        // A non-contiguous narrowed operand against a scalar.
        Check("narrow*scalar", d, [Randn(4, 6, 9), Randn(5)], t => t[0].Narrow(1, 2, 5) * t[1]);
    }

    [SkippableFact]
    public void Where_masked_fill_and_int32_copies()
    {
        var d = Target.Require();
        Check("where", d, [Randn(6, 4, 5), Randn(7, 5), Randn(8, 4, 1) with { Grad = false }], t => Tensor.Where(Tensor.Greater(t[0], t[2]), t[0], t[1]));
        Check("masked_fill", d, [Randn(9, 3, 4)], t => t[0].MaskedFill(Tensor.Less(t[0], Tensor.Zeros([], DType.Float32, t[0].Device)), -2.5) * t[0]);
        // int32 condition, int32 where, fill and conversions.
        var labels = Tensor.FromArray([3, -1, 0, 7, 2, -1], 6);
        Check("int32 where/convert", d, [Randn(10, 6), Const(labels)], t =>
        {
            var keep = Tensor.Where(Tensor.Equal(t[1].To(DType.Float32), Tensor.Full([], -1, DType.Float32, t[1].Device)), Tensor.Zeros([], DType.Int32, t[1].Device), t[1]);
            return t[0] * keep.To(DType.Float32) + t[1].To(DType.Float32);
        });
        Check("int32 transpose copy", d, [Const(Tensor.FromArray(Enumerable.Range(0, 12).ToArray(), 3, 4))], t => t[0].T.Contiguous().To(DType.Float32));
        Check("float to int", d, [Const(Tensor.FromArray([1.7f, -2.5f, float.NaN, 3e10f, -0.2f], 5))], t => t[0].To(DType.Int32).To(DType.Float32));
    }

    [SkippableFact]
    public void Views_concat_narrow_and_dtype_round_trips()
    {
        var d = Target.Require();
        Check("concat", d, [Randn(11, 2, 3), Randn(12, 2, 4)], t => Tensor.Concat([t[0], t[1]], 1).Square());
        Check("narrow backward", d, [Randn(13, 5, 6)], t => t[0].Narrow(0, 1, 3).Narrow(1, 2, 2).Exp());
        Check("permute contiguous", d, [Randn(14, 2, 3, 4)], t => t[0].Permute(2, 0, 1).Contiguous() * 2.0);
        Check("f32-f64-f32", d, [Randn(15, 4, 3)], t => t[0].To(DType.Float64).Square().To(DType.Float32));
    }

    [SkippableFact]
    public void Reductions_over_axes_short_and_long()
    {
        var d = Target.Require();
        Check("sum axis 1", d, [Randn(20, 3, 7, 4)], t => t[0].Sum(1));
        Check("sum all", d, [Randn(21, 5, 9)], t => t[0].Sum());
        Check("mean keepdim (0,2)", d, [Randn(22, 3, 7, 4)], t => t[0].Mean([0, 2], keepDim: true));
        Check("max axis -1", d, [Randn(23, 4, 6)], t => t[0].Max(-1));
        Check("min transposed", d, [Randn(24, 5, 6)], t => t[0].T.Min(1));
        Check("var/std", d, [Randn(25, 4, 9)], t => t[0].Var(1) + t[0].Std(0).Sum());
        // Long reductions (>= the group threshold) take the group kernel.
        Check("long sum", d, [Randn(26, 3, 150)], t => t[0].Sum(1));
        Check("long max over a strided axis", d, [Randn(27, 140, 3)], t => t[0].Max(0));
        Check("long mean all", d, [Randn(28, 11, 13)], t => t[0].Mean());
    }

    [SkippableFact]
    public void ArgMax_and_ArgMin()
    {
        var d = Target.Require();
        Check("argmax", d, [Const(Tensor.Randn([4, 9], new Generator(30)))], t => t[0].ArgMax(1).To(DType.Float32));
        Check("argmin axis 0", d, [Const(Tensor.Randn([4, 9], new Generator(31)))], t => t[0].ArgMin(0).To(DType.Float32));
    }

    private void WithGemm(GemmKernelMode mode, Action body)
    {
        var b = Target.Ilgpu;
        var old = b?.GemmMode ?? GemmKernelMode.Auto;
        if (b is not null) b.GemmMode = mode;
        try { body(); }
        finally { if (b is not null) b.GemmMode = old; }
    }

    [SkippableFact]
    public void MatMul_tiled_kernel_with_ragged_sizes_transposes_and_batches()
    {
        var d = Target.Require();
        WithGemm(GemmKernelMode.Tiled, () =>
        {
            Check("ragged", d, [Randn(40, 37, 29), Randn(41, 29, 70)], t => Tensor.MatMul(t[0], t[1]));
            Check("transposed", d, [Randn(42, 19, 23), Randn(43, 17, 19)], t => Tensor.MatMul(t[0].T, t[1].T));
            Check("batched broadcast", d, [Randn(44, 2, 1, 5, 6), Randn(45, 3, 6, 4)], t => Tensor.MatMul(t[0], t[1]));
            Check("vector", d, [Randn(46, 9), Randn(47, 9, 3)], t => Tensor.MatMul(t[0], t[1]));
        });
    }

    [SkippableFact]
    public void MatMul_naive_reference_kernel()
    {
        var d = Target.Require();
        WithGemm(GemmKernelMode.Naive, () =>
        {
            Check("naive", d, [Randn(48, 13, 7), Randn(49, 7, 11)], t => Tensor.MatMul(t[0], t[1]));
            Check("naive batched transposed", d, [Randn(50, 3, 6, 5), Randn(51, 3, 4, 6)], t => Tensor.MatMul(t[0].Transpose(1, 2), t[1].Transpose(1, 2)));
        });
    }

    [SkippableFact]
    public void Softmax_and_log_softmax_short_and_long_rows()
    {
        var d = Target.Require();
        Check("softmax", d, [Randn(60, 4, 9)], t => t[0].Softmax(-1));
        Check("log_softmax axis 0", d, [Randn(61, 5, 3)], t => t[0].LogSoftmax(0));
        Check("softmax long rows", d, [Randn(62, 3, 130)], t => t[0].Softmax(-1));
        Check("log_softmax long rows", d, [Randn(63, 2, 200)], t => t[0].LogSoftmax(-1));
    }

    [SkippableFact]
    public void Layer_norm_forward_and_backward()
    {
        // The ILGPU backends run IBackend's composed LayerNorm default; the CPU its fused rows.
        var d = Target.Require();
        Check("layer_norm affine", d, [Randn(64, 3, 7, 12), Randn(65, 12), Randn(66, 12)], t => Functional.LayerNorm(t[0], 1, t[1], t[2]));
        Check("layer_norm 2 dims, transposed input", d, [Randn(67, 5, 6, 4)], t => Functional.LayerNorm(t[0].Transpose(1, 2), 2));
    }

    [SkippableFact]
    public void Index_select_gather_and_their_scatter_backwards()
    {
        var d = Target.Require();
        var idx = Tensor.FromArray([2, 0, 2, 4, 1, 2], 6);
        Check("index_select axis 0", d, [Randn(70, 5, 3), Const(idx)], t => t[0].IndexSelect(0, t[1]));
        Check("index_select axis 1", d, [Randn(71, 2, 5, 3), Const(idx)], t => t[0].IndexSelect(1, t[1]));
        var gidx = Tensor.FromArray([0, 2, 2, 1, 1, 1, 0, 0], 4, 2);
        Check("gather axis 1", d, [Randn(72, 4, 3), Const(gidx)], t => t[0].Gather(1, t[1]));
        var gidx0 = Tensor.FromArray([3, 0, 1, 3, 3, 2], 2, 3);
        Check("gather axis 0", d, [Randn(73, 4, 3), Const(gidx0)], t => t[0].Gather(0, t[1]));
        Check("one_hot", d, [Const(Tensor.FromArray([2, 0, 3, 3], 4))], t => Tensor.OneHot(t[0], 5));
        Check("cross entropy", d, [Randn(74, 6, 5), Const(Tensor.FromArray([1, 4, 0, -100, 2, 4], 6))],
            t => Functional.CrossEntropy(t[0], t[1], labelSmoothing: 0.1));
    }

    [SkippableFact]
    public void Conv2d_forward_and_both_backwards()
    {
        var d = Target.Require();
        WithGemm(GemmKernelMode.Auto, () =>
        {
            Check("3x3 stride 2 pad 1 bias", d, [Randn(80, 2, 3, 7, 6), Randn(81, 4, 3, 3, 3), Randn(82, 4)],
                t => Functional.Conv2d(t[0], t[1], t[2], stride: 2, padding: 1));
            Check("groups 2 dilation 2", d, [Randn(83, 1, 4, 8, 7), Randn(84, 6, 2, 3, 2)],
                t => Functional.Conv2d(t[0], t[1], null, (1, 2), (2, 1), (2, 2), groups: 2));
            Check("pointwise", d, [Randn(85, 2, 5, 3, 4), Randn(86, 3, 5, 1, 1), Randn(87, 3)],
                t => Functional.Conv2d(t[0], t[1], t[2]));
        });
    }

    [SkippableFact]
    public void Conv2d_in_image_chunks()
    {
        var d = Target.Require();
        var b = Target.Ilgpu;
        int old = b?.ColumnBudget ?? 0;
        if (b is not null) b.ColumnBudget = 100; // forces one image per chunk
        try
        {
            Check("chunked", d, [Randn(88, 3, 2, 5, 5), Randn(89, 3, 2, 3, 3)], t => Functional.Conv2d(t[0], t[1], null, padding: 1));
        }
        finally { if (b is not null) b.ColumnBudget = old; }
    }

    [SkippableFact]
    public void Pooling_forward_and_backward()
    {
        var d = Target.Require();
        Check("max 3/2 pad 1", d, [Randn(90, 2, 3, 7, 6)], t => Functional.MaxPool2d(t[0], 3, 2, 1));
        Check("max 2 ceil", d, [Randn(91, 1, 2, 5, 5)], t => Functional.MaxPool2d(t[0], 2, ceilMode: true));
        Check("avg 3/2 pad 1", d, [Randn(92, 2, 2, 7, 6)], t => Functional.AvgPool2d(t[0], 3, 2, 1));
        Check("avg exclude pad ceil", d, [Randn(93, 1, 2, 6, 5)], t => Functional.AvgPool2d(t[0], 3, 2, 1, ceilMode: true, countIncludePad: false));
        Check("global avg", d, [Randn(94, 2, 3, 4, 5)], t => Functional.GlobalAvgPool2d(t[0]));
    }

    [SkippableFact]
    public void Attention_forward_and_backward_with_and_without_mask()
    {
        var d = Target.Require();
        Check("attention", d, [Randn(100, 2, 5, 4), Randn(101, 2, 37, 4), Randn(102, 2, 37, 3)],
            t => Functional.ScaledDotProductAttention(t[0], t[1], t[2]));
        // Causal-style mask with one fully masked row (its output is 0 and gets no gradient).
        var m = new float[5 * 6];
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < 6; j++) m[i * 6 + j] = i == 4 || j > i + 1 ? float.NegativeInfinity : 0.1f * j;
        Check("masked", d, [Randn(103, 2, 5, 4), Randn(104, 2, 6, 4), Randn(105, 2, 6, 3), Const(Tensor.FromArray(m, 5, 6))],
            t => Functional.ScaledDotProductAttention(t[0], t[1], t[2], t[3], scale: 0.7));
    }

    [SkippableFact]
    public void Float64_where_the_device_supports_it()
    {
        var d = Target.Require();
        Skip.If(Target.Ilgpu is { SupportsFloat64: false }, "the device has no float64");
        Check("f64 elementwise", d, [Randn(110, 4, 5), Randn(111, 5)], t => (t[0] * t[1]).Tanh().Gelu() / (t[1].Abs() + 1), DType.Float64);
        Check("f64 matmul+softmax", d, [Randn(112, 6, 5), Randn(113, 5, 7)], t => Tensor.MatMul(t[0], t[1]).LogSoftmax(-1).Sum(0), DType.Float64);
    }

    [SkippableFact]
    public void Fused_sgd_adamw_and_global_norm_match_the_textbook_updates()
    {
        var d = Target.Require();
        var b = Target.Ilgpu;
        Skip.If(b is null, "fused optimizer steps are an extra of the ILGPU backend");
        var p0 = Tensor.Randn([5, 7], new Generator(120)).ToDoubleArray();
        var g = Tensor.Randn([5, 7], new Generator(121)).ToDoubleArray();
        Tensor Dev(double[] v) => Tensor.FromDoubles(v, [5, 7]).To(d);
        const double lr = 0.1, mom = 0.9, wd = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8;

        // SGD with momentum and weight decay, three steps with the same gradient.
        double[] p = (double[])p0.Clone(), buf = new double[p.Length];
        using var sp = Dev(p0); using var sg = Dev(g); using var sb = Tensor.Zeros([5, 7], DType.Float32, d);
        for (int step = 0; step < 3; step++)
        {
            for (int i = 0; i < p.Length; i++) { buf[i] = mom * buf[i] + g[i] + wd * p[i]; p[i] -= lr * buf[i]; }
            b!.SgdStep(sp, sg, sb, lr, mom, wd);
        }
        Close("sgd param", p, sp.ToDoubleArray(), 1e-5, 1e-5);
        Close("sgd momentum", buf, sb.ToDoubleArray(), 1e-5, 1e-5);

        // AdamW.
        double[] q = (double[])p0.Clone(), m = new double[q.Length], v = new double[q.Length];
        using var aq = Dev(p0); using var am = Tensor.Zeros([5, 7], DType.Float32, d); using var av = Tensor.Zeros([5, 7], DType.Float32, d);
        for (int t = 1; t <= 3; t++)
        {
            for (int i = 0; i < q.Length; i++)
            {
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                q[i] *= 1 - lr * wd;
                q[i] -= lr * (m[i] / (1 - Math.Pow(b1, t))) / (Math.Sqrt(v[i] / (1 - Math.Pow(b2, t))) + eps);
            }
            b!.AdamWStep(aq, sg, am, av, t, lr, b1, b2, eps, wd);
        }
        Close("adamw param", q, aq.ToDoubleArray(), 1e-5, 1e-4);
        Close("adamw second moment", v, av.ToDoubleArray(), 1e-7, 1e-4);

        // Global norm over two tensors, larger than one grid pass.
        var big = Tensor.Randn([300, 70], new Generator(122));
        double expected = Math.Sqrt(big.ToDoubleArray().Sum(x => x * x) + g.Sum(x => x * x));
        using var bigD = big.To(d);
        using var norm = b!.GlobalNorm([bigD, sg]);
        Close("global norm", [expected], [norm.Item()], 1e-4, 1e-5);
    }
}

public sealed class SimdCpuConformance : ConformanceTests
{
    protected override BackendTarget Target => BackendTarget.SimdCpu;
}

[Collection(IlgpuCpuCollection.Name)]
public sealed class IlgpuCpuConformance : ConformanceTests
{
    protected override BackendTarget Target => BackendTarget.IlgpuCpu;
}

public sealed class OpenCLConformance : ConformanceTests
{
    protected override BackendTarget Target => BackendTarget.OpenCL;
}

public sealed class CudaConformance : ConformanceTests
{
    protected override BackendTarget Target => BackendTarget.Cuda;
}

/// <summary>Tests that change settings of the shared ilgpu-cpu backend run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class IlgpuCpuCollection
{
    public const string Name = "ilgpu-cpu";
}
