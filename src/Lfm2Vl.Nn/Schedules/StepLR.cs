using Lfm2Vl.Nn.Optim;

namespace Lfm2Vl.Nn.Schedules;

/// <summary>lr = base * gamma^floor(t / stepSize).</summary>
public sealed class StepLR : LrScheduler
{
    public StepLR(Optimizer optimizer, int stepSize, double gamma = 0.1) : base(optimizer)
    {
        if (stepSize <= 0) throw new ArgumentOutOfRangeException(nameof(stepSize), $"stepSize must be positive, got {stepSize}.");
        StepSize = stepSize;
        Gamma = gamma;
        Start();
    }

    public int StepSize { get; }
    public double Gamma { get; }

    public override double LrAt(int group, int epoch) => Base(group) * Math.Pow(Gamma, epoch / StepSize);
}
