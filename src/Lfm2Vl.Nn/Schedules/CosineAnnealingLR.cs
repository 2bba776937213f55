using Lfm2Vl.Nn.Optim;

namespace Lfm2Vl.Nn.Schedules;

/// <summary>lr = etaMin + (base - etaMin) * (1 + cos(pi * t / tMax)) / 2: from base down to etaMin over tMax steps.</summary>
public sealed class CosineAnnealingLR : LrScheduler
{
    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin = 0) : base(optimizer)
    {
        if (tMax <= 0) throw new ArgumentOutOfRangeException(nameof(tMax), $"tMax must be positive, got {tMax}.");
        TMax = tMax;
        EtaMin = etaMin;
        Start();
    }

    public int TMax { get; }
    public double EtaMin { get; }

    public override double LrAt(int group, int epoch)
        => EtaMin + (Base(group) - EtaMin) * (1 + Math.Cos(Math.PI * epoch / TMax)) / 2;
}
