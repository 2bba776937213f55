using Lfm2Vl.Engine;
using Lfm2Vl.Nn.Modules;

namespace Lfm2Vl.Nn.Optim;

/// <summary>
/// Adam as torch.optim.Adam: L2 weight decay added to the gradient, bias-corrected first and second moments,
/// optional AMSGrad (the running maximum of the second moment). <see cref="AdamW"/> decays the weights directly
/// instead (decoupled weight decay).
/// </summary>
public class Adam : Optimizer
{
    public Adam(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
        double weightDecay = 0, bool amsgrad = false, bool maximize = false)
        : this(Single(parameters), lr, beta1, beta2, eps, weightDecay, amsgrad, maximize) { }

    public Adam(IEnumerable<ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
        double weightDecay = 0, bool amsgrad = false, bool maximize = false)
        : this(groups, lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, decoupled: false) { }

    protected Adam(IEnumerable<ParamGroup> groups, double lr, double beta1, double beta2, double eps, double weightDecay, bool amsgrad, bool maximize, bool decoupled)
        : base(groups, lr, weightDecay)
    {
        if (!(beta1 >= 0 && beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(beta1), $"beta1 must be in [0, 1), got {beta1}.");
        if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(beta2), $"beta2 must be in [0, 1), got {beta2}.");
        if (!(eps >= 0)) throw new ArgumentOutOfRangeException(nameof(eps), $"eps must be >= 0, got {eps}.");
        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
        AmsGrad = amsgrad;
        Maximize = maximize;
        DecoupledWeightDecay = decoupled;
        BufferNames = amsgrad ? ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"] : ["exp_avg", "exp_avg_sq"];
    }

    public double Beta1 { get; }
    public double Beta2 { get; }
    public double Eps { get; }
    public bool AmsGrad { get; }
    public bool Maximize { get; }
    /// <summary>True for AdamW: w *= 1 - lr * wd before the Adam step, instead of adding wd * w to the gradient.</summary>
    public bool DecoupledWeightDecay { get; }

    protected override IReadOnlyList<string> BufferNames { get; }

    protected override void Update(ParamGroup group, Parameter p, Tensor grad, ParameterState st)
    {
        var w = p.Data;
        double lr = group.Lr, wd = group.WeightDecay;
        Tensor g = grad;
        if (Maximize) g = Copy(grad).MulInPlace(-1);
        if (wd != 0)
        {
            if (DecoupledWeightDecay) w.MulInPlace(1 - lr * wd);
            else g = (ReferenceEquals(g, grad) ? Copy(grad) : g).AddInPlace(w, wd);
        }

        var m = st.GetOrCreate("exp_avg", () => Tensor.ZerosLike(w), out _);
        var v = st.GetOrCreate("exp_avg_sq", () => Tensor.ZerosLike(w), out _);
        m.MulInPlace(Beta1).AddInPlace(g, 1 - Beta1);
        var scratch = Copy(g).ApplyInPlace(BinaryOp.Mul, g);
        v.MulInPlace(Beta2).AddInPlace(scratch, 1 - Beta2);

        double bc1 = 1 - Math.Pow(Beta1, st.Step);
        double bc2Sqrt = Math.Sqrt(1 - Math.Pow(Beta2, st.Step));
        var second = v;
        if (AmsGrad)
        {
            second = st.GetOrCreate("max_exp_avg_sq", () => Tensor.ZerosLike(w), out _);
            second.ApplyInPlace(BinaryOp.Maximum, v);
        }
        // denom = sqrt(v) / sqrt(bc2) + eps, reusing the scratch buffer
        var denom = scratch.CopyFrom(second).ApplyInPlace(UnaryOp.Sqrt).MulInPlace(1 / bc2Sqrt).ApplyInPlace(UnaryOp.AddScalar, Eps);
        var update = Copy(m).ApplyInPlace(BinaryOp.Div, denom);
        w.AddInPlace(update, -lr / bc1);
    }
}

/// <summary>Adam with decoupled weight decay (torch.optim.AdamW; default weight decay 0.01).</summary>
public sealed class AdamW : Adam
{
    public AdamW(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
        double weightDecay = 0.01, bool amsgrad = false, bool maximize = false)
        : this(Single(parameters), lr, beta1, beta2, eps, weightDecay, amsgrad, maximize) { }

    public AdamW(IEnumerable<ParamGroup> groups, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8,
        double weightDecay = 0.01, bool amsgrad = false, bool maximize = false)
        : base(groups, lr, beta1, beta2, eps, weightDecay, amsgrad, maximize, decoupled: true) { }
}
