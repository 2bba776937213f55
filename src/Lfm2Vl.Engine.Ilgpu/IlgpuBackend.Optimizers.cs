using ILGPU;
using ILGPU.Runtime;
using Lfm2Vl.Kernels;

namespace Lfm2Vl.Engine.Ilgpu;

// Fused optimizer steps and the global gradient norm: extras beyond IBackend that an optimizer can use on
// this backend to update a parameter in one kernel instead of a chain of element-wise ops.
public sealed partial class IlgpuBackend
{
    private static void CheckDense(string what, params Tensor?[] ts)
    {
        var first = ts[0]!;
        foreach (var t in ts)
        {
            if (t is null) continue;
            if (!t.IsContiguous || t.Numel != first.Numel || t.DType != first.DType)
                throw new ArgumentException($"{what}: parameter, gradient and state must be contiguous tensors of one size and dtype.");
        }
    }

    private ArrayView<T> DenseOf<T>(Tensor t) where T : unmanaged
    {
        if (t.Device != Device) throw new ArgumentException($"The tensor is on {t.Device}, not on {Device}.");
        return Dense<T>(t.View);
    }

    /// <summary>
    /// One SGD step in place, as torch.optim.SGD (dampening 0, no Nesterov): b = momentum b + (g + wd p),
    /// p -= lr b. The momentum buffer must start at zero; it may be null when momentum is 0.
    /// </summary>
    public void SgdStep(Tensor param, Tensor grad, Tensor? momentumBuffer, double lr, double momentum = 0, double weightDecay = 0)
    {
        if (momentum != 0 && momentumBuffer is null) throw new ArgumentException("SGD with momentum needs a momentum buffer.");
        CheckDense("SGD", param, grad, momentumBuffer);
        var buf = momentumBuffer ?? param;
        Floating(param.DType, "SGD",
            () => SgdT<float, F32>(param, grad, buf, (float)lr, (float)momentum, (float)weightDecay),
            () => SgdT<double, F64>(param, grad, buf, lr, momentum, weightDecay));
    }

    private void SgdT<T, O>(Tensor p, Tensor g, Tensor buf, T lr, T momentum, T wd) where T : unmanaged where O : struct, INum<T>
    {
        int n = p.Numel;
        if (n == 0) return;
        var k = Cache.Get<Action<AcceleratorStream, KernelConfig, int, ArrayView<T>, ArrayView<T>, ArrayView<T>, T, T, T>>(
            (Action<int, ArrayView<T>, ArrayView<T>, ArrayView<T>, T, T, T>)OptimizerKernels.Sgd<T, O>);
        Run(() => k(_stream, Linear(n), n, DenseOf<T>(p), DenseOf<T>(g), DenseOf<T>(buf), lr, momentum, wd));
    }

    /// <summary>One AdamW step in place (torch.optim.AdamW); step counts from 1; m and v must start at zero.</summary>
    public void AdamWStep(Tensor param, Tensor grad, Tensor m, Tensor v, int step, double lr,
        double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0.01)
    {
        if (step < 1) throw new ArgumentOutOfRangeException(nameof(step), "AdamW steps count from 1.");
        CheckDense("AdamW", param, grad, m, v);
        double b1 = 1 - Math.Pow(beta1, step), b2 = 1 - Math.Pow(beta2, step);
        Floating(param.DType, "AdamW",
            () => AdamWT<float, F32>(param, grad, m, v, new AdamWArgs<float>
            {
                Lr = (float)lr, Beta1 = (float)beta1, Beta2 = (float)beta2, Eps = (float)eps, WeightDecay = (float)weightDecay, Bias1 = (float)b1, Bias2 = (float)b2,
            }),
            () => AdamWT<double, F64>(param, grad, m, v, new AdamWArgs<double>
            {
                Lr = lr, Beta1 = beta1, Beta2 = beta2, Eps = eps, WeightDecay = weightDecay, Bias1 = b1, Bias2 = b2,
            }));
    }

    private void AdamWT<T, O>(Tensor p, Tensor g, Tensor m, Tensor v, AdamWArgs<T> a) where T : unmanaged where O : struct, INum<T>
    {
        int n = p.Numel;
        if (n == 0) return;
        var k = Cache.Get<Action<AcceleratorStream, KernelConfig, int, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, AdamWArgs<T>>>(
            (Action<int, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, AdamWArgs<T>>)OptimizerKernels.AdamW<T, O>);
        Run(() => k(_stream, Linear(n), n, DenseOf<T>(p), DenseOf<T>(g), DenseOf<T>(m), DenseOf<T>(v), a));
    }

    /// <summary>
    /// The global L2 norm of several tensors (e.g. all gradients, for clipping) as a device scalar: no host
    /// round trip until the caller reads it.
    /// </summary>
    public Tensor GlobalNorm(IReadOnlyList<Tensor> tensors)
    {
        if (tensors.Count == 0) throw new ArgumentException("GlobalNorm needs at least one tensor.");
        var dtype = tensors[0].DType;
        foreach (var t in tensors)
            if (t.DType != dtype || !t.IsContiguous) throw new ArgumentException("GlobalNorm: tensors must be contiguous and share one dtype.");
        const int groups = 64;
        var partial = Tensor.Zeros([groups], dtype, Device);
        Floating(dtype, "GlobalNorm",
            () => { foreach (var t in tensors) SumSquaresT<float, F32>(t, partial, groups); },
            () => { foreach (var t in tensors) SumSquaresT<double, F64>(t, partial, groups); });
        using (partial)
        using (GradMode.NoGrad())
        using (var sum = partial.Sum())
            return sum.Sqrt();
    }

    private void SumSquaresT<T, O>(Tensor t, Tensor partial, int groups) where T : unmanaged where O : struct, INum<T>
    {
        int n = t.Numel;
        if (n == 0) return;
        var k = Cache.Get<Action<AcceleratorStream, KernelConfig, int, ArrayView<T>, ArrayView<T>>>(
            (Action<int, ArrayView<T>, ArrayView<T>>)OptimizerKernels.SumSquares<T, O>);
        Run(() => k(_stream, new KernelConfig(groups, _rowGroup), n, DenseOf<T>(t), DenseOf<T>(partial)));
    }
}
