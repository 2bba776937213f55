using Lfm2Vl.Engine;
using Lfm2Vl.Nn.Modules;

namespace Lfm2Vl.Nn.Optim;

/// <summary>
/// Stochastic gradient descent as torch.optim.SGD: d = g + wd * w; with momentum, buf = m * buf + (1 - dampening) * d
/// (buf = d on the first step) and d = buf, or d = d + m * buf with Nesterov; then w -= lr * d.
/// </summary>
public sealed class Sgd : Optimizer
{
    public Sgd(IEnumerable<Parameter> parameters, double lr, double momentum = 0, double dampening = 0, bool nesterov = false, double weightDecay = 0, bool maximize = false)
        : this(Single(parameters), lr, momentum, dampening, nesterov, weightDecay, maximize) { }

    public Sgd(IEnumerable<ParamGroup> groups, double lr, double momentum = 0, double dampening = 0, bool nesterov = false, double weightDecay = 0, bool maximize = false)
        : base(groups, lr, weightDecay)
    {
        if (!(momentum >= 0)) throw new ArgumentOutOfRangeException(nameof(momentum), $"Momentum must be >= 0, got {momentum}.");
        if (nesterov && (momentum <= 0 || dampening != 0))
            throw new ArgumentException("Nesterov momentum needs momentum > 0 and dampening = 0.");
        Momentum = momentum;
        Dampening = dampening;
        Nesterov = nesterov;
        Maximize = maximize;
    }

    public double Momentum { get; }
    public double Dampening { get; }
    public bool Nesterov { get; }
    public bool Maximize { get; }

    protected override IReadOnlyList<string> BufferNames { get; } = ["momentum_buffer"];

    protected override void Update(ParamGroup group, Parameter p, Tensor grad, ParameterState st)
    {
        var w = p.Data;
        Tensor d = grad;
        Tensor? tmp = null;
        if (Maximize || group.WeightDecay != 0)
        {
            tmp = Copy(grad);
            if (Maximize) tmp.MulInPlace(-1);
            if (group.WeightDecay != 0) tmp.AddInPlace(w, group.WeightDecay);
            d = tmp;
        }
        if (Momentum != 0)
        {
            var dCurrent = d;
            var buf = st.GetOrCreate("momentum_buffer", () => Copy(dCurrent), out bool created);
            if (!created)
            {
                buf.MulInPlace(Momentum);
                buf.AddInPlace(d, 1 - Dampening);
            }
            if (Nesterov)
            {
                tmp ??= Copy(d);
                tmp.AddInPlace(buf, Momentum);
                d = tmp;
            }
            else d = buf;
        }
        w.AddInPlace(d, -group.Lr);
    }
}
