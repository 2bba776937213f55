using ILGPU;

namespace Lfm2Vl.Kernels;

/// <summary>Hyper-parameters of one AdamW step; Bias1/Bias2 are 1 - beta^t, computed on the host.</summary>
public struct AdamWArgs<T> where T : unmanaged
{
    public T Lr, Beta1, Beta2, Eps, WeightDecay, Bias1, Bias2;
}

/// <summary>
/// Fused optimizer updates over contiguous parameter, gradient and state buffers (one pass, no temporaries),
/// and the sum of squares behind a global gradient norm.
/// </summary>
public static class OptimizerKernels
{
    /// <summary>PyTorch's SGD (dampening 0, no Nesterov): b = momentum b + (g + wd p); p -= lr b. momentum 0 skips b.</summary>
    public static void Sgd<T, O>(int n, ArrayView<T> p, ArrayView<T> g, ArrayView<T> buf, T lr, T momentum, T weightDecay)
        where T : unmanaged where O : struct, INum<T>
    {
        O o = default;
        bool useMomentum = o.NonZero(momentum);
        for (int i = Grid.GlobalIndex.X; i < n; i += Grid.DimX * Group.DimX)
        {
            T d = o.Add(g[i], o.Mul(weightDecay, p[i]));
            if (useMomentum)
            {
                d = o.Add(o.Mul(momentum, buf[i]), d);
                buf[i] = d;
            }
            p[i] = o.Sub(p[i], o.Mul(lr, d));
        }
    }

    /// <summary>AdamW (decoupled weight decay): p *= 1 - lr wd; m, v moments; p -= lr m^ / (sqrt(v^) + eps).</summary>
    public static void AdamW<T, O>(int n, ArrayView<T> p, ArrayView<T> g, ArrayView<T> m, ArrayView<T> v, AdamWArgs<T> a)
        where T : unmanaged where O : struct, INum<T>
    {
        O o = default;
        for (int i = Grid.GlobalIndex.X; i < n; i += Grid.DimX * Group.DimX)
        {
            T gi = g[i];
            T mi = o.Add(o.Mul(a.Beta1, m[i]), o.Mul(o.Sub(o.One, a.Beta1), gi));
            T vi = o.Add(o.Mul(a.Beta2, v[i]), o.Mul(o.Sub(o.One, a.Beta2), o.Mul(gi, gi)));
            m[i] = mi;
            v[i] = vi;
            T pi = o.Mul(p[i], o.Sub(o.One, o.Mul(a.Lr, a.WeightDecay)));
            T denom = o.Add(o.Sqrt(o.Div(vi, a.Bias2)), a.Eps);
            p[i] = o.Sub(pi, o.Div(o.Mul(a.Lr, o.Div(mi, a.Bias1)), denom));
        }
    }

    /// <summary>partial[group] += sum of x^2 over the elements the group visits (one slot per group, no atomics).</summary>
    public static void SumSquares<T, O>(int n, ArrayView<T> x, ArrayView<T> partial)
        where T : unmanaged where O : struct, INum<T>
    {
        var scratch = SharedMemory.Allocate<T>(GroupTree.MaxGroup);
        O o = default;
        T s = o.Zero;
        for (int i = Grid.GlobalIndex.X; i < n; i += Grid.DimX * Group.DimX) s = o.Add(s, o.Mul(x[i], x[i]));
        T total = GroupTree.Reduce<T, O>(scratch, s, ReduceCode.Sum);
        if (Group.IdxX == 0) partial[Grid.IdxX] = o.Add(partial[Grid.IdxX], total);
    }
}
