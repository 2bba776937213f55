using Lfm2Vl.Engine;
using Lfm2Vl.Nn.Modules;

namespace Lfm2Vl.Nn.Optim;

/// <summary>Gradient clipping (torch.nn.utils.clip_grad_norm_ / clip_grad_value_), in place on .Grad.</summary>
public static class GradClip
{
    /// <summary>
    /// Scales all gradients together so that their global norm (the norm of the concatenated gradients) is at
    /// most <paramref name="maxNorm"/>. Returns the norm before clipping. normType may be any p &gt;= 1 or
    /// infinity (the largest magnitude). Parameters without a gradient are ignored.
    /// </summary>
    public static double ClipGradNorm(IEnumerable<Parameter> parameters, double maxNorm, double normType = 2, bool errorIfNonfinite = false)
    {
        if (!(maxNorm >= 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), $"maxNorm must be >= 0, got {maxNorm}.");
        if (!(normType >= 1)) throw new ArgumentOutOfRangeException(nameof(normType), $"normType must be >= 1 or infinity, got {normType}.");
        var grads = parameters.Select(p => p.Grad).OfType<Tensor>().ToList();
        if (grads.Count == 0) return 0;
        using var noGrad = GradMode.NoGrad();
        using var scope = TensorScope.Begin();
        // The per-tensor terms are summed on the gradients' device; only the total comes back to the host.
        double total;
        if (double.IsPositiveInfinity(normType))
            total = Accumulate(grads, g => g.Abs().Max(), max: true);
        else if (normType == 2)
            total = Math.Sqrt(Accumulate(grads, g => g.Square().Sum()));
        else if (normType == 1)
            total = Accumulate(grads, g => g.Abs().Sum());
        else
            total = Math.Pow(Accumulate(grads, g => g.Abs().Pow(normType).Sum()), 1 / normType);

        if (!double.IsFinite(total) && errorIfNonfinite)
            throw new InvalidOperationException($"The total gradient norm is {total}; the gradients hold NaN or infinity.");
        double coef = maxNorm / (total + 1e-6);
        if (coef < 1)
            foreach (var g in grads) g.MulInPlace(coef);
        return total;
    }

    /// <summary>
    /// One scalar per gradient, combined (sum, or max when <paramref name="max"/>) on the gradients' device, so only
    /// the total is read back (once per device when the gradients are spread over several).
    /// </summary>
    private static double Accumulate(List<Tensor> grads, Func<Tensor, Tensor> term, bool max = false)
    {
        var perDevice = new Dictionary<Device, Tensor>();
        foreach (var g in grads)
        {
            var t = term(g);
            perDevice[g.Device] = perDevice.TryGetValue(g.Device, out var acc) ? (max ? Tensor.Maximum(acc, t) : acc + t) : t;
        }
        var values = perDevice.Values.Select(t => t.Item());
        return max ? values.Max() : values.Sum();
    }

    /// <summary>Clamps every gradient element into [-clipValue, clipValue].</summary>
    public static void ClipGradValue(IEnumerable<Parameter> parameters, double clipValue)
    {
        if (!(clipValue >= 0)) throw new ArgumentOutOfRangeException(nameof(clipValue), $"clipValue must be >= 0, got {clipValue}.");
        using var noGrad = GradMode.NoGrad();
        foreach (var p in parameters) p.Grad?.ApplyInPlace(UnaryOp.Clamp, -clipValue, clipValue);
    }
}
