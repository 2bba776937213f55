namespace Lfm2Vl.Deploy.Vit;

/// <summary>
/// A sense-reversing barrier for the few workers that split one image's tokens: each block's attention waits
/// here until every worker has written its rows of Q, K and V. Waiters spin, then yield (never sleep a whole
/// millisecond: the wait is microseconds, but on a shared machine the other worker may be descheduled).
/// </summary>
internal sealed class SpinBarrier
{
    private readonly int _participants;
    private int _remaining;
    private volatile int _sense;

    public SpinBarrier(int participants)
    {
        _participants = participants;
        _remaining = participants;
    }

    /// <summary>Waits for all participants; <paramref name="localSense"/> is the caller's own flag (starts at 0).</summary>
    public void SignalAndWait(ref int localSense)
    {
        localSense ^= 1;
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            _remaining = _participants;
            _sense = localSense;
            return;
        }
        var spin = new SpinWait();
        while (_sense != localSense) spin.SpinOnce(sleep1Threshold: -1);
    }
}
