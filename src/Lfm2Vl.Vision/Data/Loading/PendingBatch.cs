using System.Runtime.ExceptionServices;

namespace Lfm2Vl.Vision.Data;

/// <summary>A batch being filled by workers, one slot per sample; complete when every slot reported.</summary>
internal sealed class PendingBatch : IDisposable
{
    private int _remaining;
    private readonly ManualResetEventSlim _done = new(false);

    public PendingBatch(int epoch, int index, int[] samples, float[] pixels, Func<bool> cancelled)
    {
        Epoch = epoch;
        Index = index;
        Samples = samples;
        Pixels = pixels;
        Cancelled = cancelled;
        Labels = new int[samples.Length];
        Boxes = new BoundingBox[samples.Length][];
        Warnings = new DataWarning?[samples.Length];
        Errors = new ExceptionDispatchInfo?[samples.Length];
        _remaining = samples.Length;
    }

    public int Epoch { get; }
    public int Index { get; }
    public int[] Samples { get; }
    public float[] Pixels { get; }
    public Func<bool> Cancelled { get; }
    public int[] Labels { get; }
    public BoundingBox[]?[] Boxes { get; }

    /// <summary>Set for a skipped (unreadable) sample.</summary>
    public DataWarning?[] Warnings { get; }
    public ExceptionDispatchInfo?[] Errors { get; }

    public bool IsDone => _done.IsSet;

    /// <summary>Called once per slot, by whichever thread processed it.</summary>
    public void SlotFinished()
    {
        if (Interlocked.Decrement(ref _remaining) == 0) _done.Set();
    }

    public void Wait(CancellationToken token) => _done.Wait(token);

    public void Dispose() => _done.Dispose();
}
