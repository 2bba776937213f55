using Lfm2Vl.Nn.Optim;

namespace Lfm2Vl.Nn.Schedules;

/// <summary>lr = base * gamma^(number of milestones reached); a repeated milestone counts each time, as in PyTorch.</summary>
public sealed class MultiStepLR : LrScheduler
{
    private readonly int[] _milestones;

    public MultiStepLR(Optimizer optimizer, IEnumerable<int> milestones, double gamma = 0.1) : base(optimizer)
    {
        _milestones = milestones.Order().ToArray();
        Gamma = gamma;
        Start();
    }

    public IReadOnlyList<int> Milestones => _milestones;
    public double Gamma { get; }

    public override double LrAt(int group, int epoch) => Base(group) * Math.Pow(Gamma, _milestones.Count(m => m <= epoch));
}
