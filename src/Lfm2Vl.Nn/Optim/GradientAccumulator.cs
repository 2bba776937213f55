namespace Lfm2Vl.Nn.Optim;

/// <summary>
/// Gradient accumulation over micro-batches: backward() already adds into .Grad, so a large batch of N
/// examples split into K equal micro-batches gives the full-batch gradient when each micro-batch loss
/// (a mean over its examples) is scaled by 1/K. Usage:
/// <code>
/// var acc = new GradientAccumulator(k);
/// foreach (var micro in batches) {
///     using var scope = TensorScope.Begin();
///     (loss(micro) * acc.LossScale).Backward();
///     if (acc.Advance()) { optimizer.Step(); optimizer.ZeroGrad(); }
/// }
/// </code>
/// </summary>
public sealed class GradientAccumulator
{
    public GradientAccumulator(int microBatches)
    {
        if (microBatches <= 0) throw new ArgumentOutOfRangeException(nameof(microBatches), $"Need at least one micro-batch, got {microBatches}.");
        MicroBatches = microBatches;
    }

    public int MicroBatches { get; }

    /// <summary>Micro-batches accumulated since the last optimizer step.</summary>
    public int Pending { get; private set; }

    /// <summary>The factor for each micro-batch's mean loss.</summary>
    public double LossScale => 1.0 / MicroBatches;

    /// <summary>Counts one micro-batch; true when the accumulated gradient is complete and the optimizer should step.</summary>
    public bool Advance()
    {
        if (++Pending < MicroBatches) return false;
        Pending = 0;
        return true;
    }
}
