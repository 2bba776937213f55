namespace Lfm2Vl.Engine;

/// <summary>
/// A strided window onto a storage: what a backend primitive reads or writes. Shapes and strides are in
/// elements; a stride of 0 broadcasts. Backends never see autograd or tensor objects.
/// </summary>
public readonly struct TensorView
{
    public TensorView(Storage storage, int offset, int[] shape, int[] strides)
    {
        Storage = storage;
        Offset = offset;
        Shape = shape;
        Strides = strides;
    }

    public Storage Storage { get; }
    public int Offset { get; }
    public int[] Shape { get; }
    public int[] Strides { get; }
    public int Rank => Shape.Length;
    public DType DType => Storage.DType;
    public int Numel => ShapeUtil.Numel(Shape);
    public bool IsContiguous => ShapeUtil.IsContiguous(Shape, Strides);

    /// <summary>A contiguous view of a whole storage with the given shape.</summary>
    public static TensorView Contiguous(Storage s, int[] shape) => new(s, 0, shape, ShapeUtil.ContiguousStrides(shape));

    /// <summary>The same data seen with broadcast (stride-0) dimensions so that it has the target shape.</summary>
    public TensorView BroadcastTo(int[] target)
    {
        if (ShapeUtil.SameShape(Shape, target)) return this;
        int lead = target.Length - Rank;
        if (lead < 0) throw new ArgumentException($"Cannot broadcast {ShapeUtil.Format(Shape)} to {ShapeUtil.Format(target)}.");
        var strides = new int[target.Length];
        for (int i = 0; i < target.Length; i++)
        {
            int j = i - lead;
            if (j < 0) { strides[i] = 0; continue; }
            if (Shape[j] == target[i]) strides[i] = Strides[j];
            else if (Shape[j] == 1) strides[i] = 0;
            else throw new ArgumentException($"Cannot broadcast {ShapeUtil.Format(Shape)} to {ShapeUtil.Format(target)}.");
        }
        return new TensorView(Storage, Offset, target, strides);
    }
}

/// <summary>Element-wise functions of one input. Alpha/Beta are the scalar parameters where an op has them.</summary>
public enum UnaryOp
{
    Identity,
    Neg,
    Exp,
    Log,
    Sqrt,
    Rsqrt,
    Abs,
    Sign,
    Square,
    Reciprocal,
    /// <summary>x ^ Alpha.</summary>
    PowScalar,
    /// <summary>x + Alpha.</summary>
    AddScalar,
    /// <summary>x * Alpha.</summary>
    MulScalar,
    /// <summary>min(max(x, Alpha), Beta).</summary>
    Clamp,
    Relu,
    /// <summary>x if x &gt; 0 else Alpha * x.</summary>
    LeakyRelu,
    Sigmoid,
    Tanh,
    GeluTanh,
    GeluErf,
    Silu,
}

/// <summary>
/// Element-wise functions of two inputs of one shape (broadcast views are allowed). The *Grad ops are the
/// fused backward passes of activations: a is the upstream gradient, b the saved input (or output).
/// </summary>
public enum BinaryOp
{
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Maximum,
    Minimum,
    /// <summary>1 where a == b, else 0.</summary>
    Equal,
    /// <summary>1 where a &gt; b, else 0.</summary>
    Greater,
    /// <summary>1 where a &lt; b, else 0.</summary>
    Less,
    /// <summary>a * (b &gt; 0).</summary>
    ReluGrad,
    /// <summary>a * (b &gt; 0 ? 1 : Alpha).</summary>
    LeakyReluGrad,
    /// <summary>a * y * (1 - y), b = y = sigmoid(x).</summary>
    SigmoidGrad,
    /// <summary>a * (1 - y^2), b = y = tanh(x).</summary>
    TanhGrad,
    /// <summary>a * gelu_tanh'(b).</summary>
    GeluTanhGrad,
    /// <summary>a * gelu_erf'(b).</summary>
    GeluErfGrad,
    /// <summary>a * silu'(b).</summary>
    SiluGrad,
    /// <summary>a * (Alpha &lt;= b &lt;= Beta).</summary>
    ClampGrad,
}

public enum ReduceOp
{
    Sum,
    Max,
    Min,
}

/// <summary>
/// The small set of primitives every backend implements. Everything above (autograd, composite ops,
/// layers) is written once against this interface. Destination views are written, never read, unless
/// a method says it accumulates. All inputs of one call share one dtype unless stated.
/// </summary>
public partial interface IBackend
{
    Device Device { get; }
    string Name { get; }

    /// <summary>A buffer of <paramref name="length"/> elements; contents are undefined.</summary>
    Storage Allocate(DType dtype, int length);
    /// <summary>Returns a buffer to the pool (called when its last reference is released).</summary>
    void Free(Storage storage);

    void Upload<T>(ReadOnlySpan<T> source, Storage destination) where T : unmanaged;
    void Download<T>(Storage source, Span<T> destination) where T : unmanaged;

    /// <summary>dst = src element by element (same shape; any strides; converts dtype).</summary>
    void Copy(in TensorView src, in TensorView dst);
    void Fill(in TensorView dst, double value);

    void Unary(UnaryOp op, in TensorView x, in TensorView dst, double alpha = 0, double beta = 0);
    /// <summary>a and b have dst's shape (broadcast with zero strides where needed).</summary>
    void Binary(BinaryOp op, in TensorView a, in TensorView b, in TensorView dst, double alpha = 0, double beta = 0);
    /// <summary>dst = cond != 0 ? a : b; cond may have any dtype.</summary>
    void Where(in TensorView cond, in TensorView a, in TensorView b, in TensorView dst);

    /// <summary>Reduces x over every axis where dst has extent 1 and x does not (dst has x's rank).</summary>
    void Reduce(ReduceOp op, in TensorView x, in TensorView dst);
    /// <summary>Index (int32) of the max (or min) along one axis; dst has x's rank with extent 1 on that axis.</summary>
    void ArgReduce(ReduceOp op, in TensorView x, int axis, in TensorView dst);

    /// <summary>dst[..., M, N] = a[..., M, K] @ b[..., K, N]; batch dims already broadcast to dst's.</summary>
    void MatMul(in TensorView a, in TensorView b, in TensorView dst);

    /// <summary>Softmax (or log-softmax) over the last axis.</summary>
    void Softmax(in TensorView x, in TensorView dst, bool log);
    /// <summary>Gradient of softmax/log-softmax over the last axis from its output y and upstream gy.</summary>
    void SoftmaxBackward(in TensorView y, in TensorView gy, in TensorView dst, bool log);

    /// <summary>dst = x.index_select(axis, index); index is int32 rank 1.</summary>
    void IndexSelect(in TensorView x, int axis, in TensorView index, in TensorView dst);
    /// <summary>dst.index_add_(axis, index, src): accumulates into dst.</summary>
    void IndexAdd(in TensorView dst, int axis, in TensorView index, in TensorView src);
    /// <summary>dst = x.gather(axis, index); index has dst's shape.</summary>
    void Gather(in TensorView x, int axis, in TensorView index, in TensorView dst);
    /// <summary>dst.scatter_add_(axis, index, src): accumulates into dst.</summary>
    void ScatterAdd(in TensorView dst, int axis, in TensorView index, in TensorView src);

    // ---- convolution and pooling (NCHW, contiguous inputs) ------------------------------------------

    /// <summary>y[N,OC,OH,OW] = conv2d(x[N,C,H,W], w[OC,C/groups,KH,KW]) (+ bias[OC] when given).</summary>
    void Conv2d(in TensorView x, in TensorView w, in TensorView? bias, in TensorView y, in Conv2dParams p);
    /// <summary>dx = gradient of conv2d with respect to its input.</summary>
    void Conv2dBackwardInput(in TensorView gy, in TensorView w, in TensorView dx, in Conv2dParams p);
    /// <summary>dw = gradient of conv2d with respect to its weight (overwrites dw).</summary>
    void Conv2dBackwardWeight(in TensorView x, in TensorView gy, in TensorView dw, in Conv2dParams p);

    /// <summary>Max pooling; indices (int32, flat h*W+w within each plane) are kept for backward.</summary>
    void MaxPool2d(in TensorView x, in TensorView y, in TensorView indices, in Pool2dParams p);
    /// <summary>dx (overwritten) from gy through the saved argmax indices.</summary>
    void MaxPool2dBackward(in TensorView gy, in TensorView indices, in TensorView dx);
    /// <summary>Average pooling (padding counted when p.CountIncludePad).</summary>
    void AvgPool2d(in TensorView x, in TensorView y, in Pool2dParams p);
    void AvgPool2dBackward(in TensorView gy, in TensorView dx, in Pool2dParams p);

    // ---- attention ----------------------------------------------------------------------------------

    /// <summary>
    /// o = softmax(q k^T * scale + mask) v per batch (q[B,Lq,D], k[B,Lk,D], v[B,Lk,Dv], mask[B,Lq,Lk] additive or
    /// null), computed row by row with no Lq x Lk matrix; lse[B,Lq] receives each row's log-sum-exp for backward.
    /// </summary>
    void Attention(in TensorView q, in TensorView k, in TensorView v, in TensorView? mask, in TensorView o, in TensorView lse, double scale);
    /// <summary>dq, dk, dv (overwritten) from go, recomputing probabilities from lse.</summary>
    void AttentionBackward(in TensorView q, in TensorView k, in TensorView v, in TensorView? mask, in TensorView o, in TensorView lse,
        in TensorView go, in TensorView dq, in TensorView dk, in TensorView dv, double scale);
}

/// <summary>Geometry of a 2-D convolution.</summary>
public readonly record struct Conv2dParams(int StrideH, int StrideW, int PadH, int PadW, int DilationH, int DilationW, int Groups)
{
    public int OutH(int h, int kh) => (h + 2 * PadH - DilationH * (kh - 1) - 1) / StrideH + 1;
    public int OutW(int w, int kw) => (w + 2 * PadW - DilationW * (kw - 1) - 1) / StrideW + 1;
}

/// <summary>Geometry of a 2-D pooling window.</summary>
public readonly record struct Pool2dParams(int KernelH, int KernelW, int StrideH, int StrideW, int PadH, int PadW, bool CeilMode = false, bool CountIncludePad = true)
{
    public int OutH(int h) => OutSize(h, KernelH, StrideH, PadH);
    public int OutW(int w) => OutSize(w, KernelW, StrideW, PadW);

    private int OutSize(int n, int k, int s, int p)
    {
        int span = n + 2 * p - k;
        int o = (CeilMode ? (span + s - 1) / s : span / s) + 1;
        // As in PyTorch: with ceil mode the last window must start inside the input or left padding.
        if (CeilMode && (o - 1) * s >= n + p) o--;
        return o;
    }
}
