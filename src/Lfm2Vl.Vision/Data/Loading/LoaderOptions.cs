using Lfm2Vl.Engine;

namespace Lfm2Vl.Vision.Data;

public sealed record LoaderOptions
{
    public int BatchSize { get; init; } = 32;

    /// <summary>A new order every epoch, drawn from (Seed, epoch).</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Leave out the last batch when it would be smaller than BatchSize.</summary>
    public bool DropLast { get; init; }

    /// <summary>Threads that decode and augment in parallel; 0 does everything on the consuming thread.</summary>
    public int NumWorkers { get; init; } = 4;

    /// <summary>Batches prepared ahead of the one being consumed (bounds memory: about
    /// (PrefetchBatches + 1) * BatchSize * 3 * H * W floats).</summary>
    public int PrefetchBatches { get; init; } = 2;

    /// <summary>Fixes the shuffle and every sample's augmentation: the same seed gives the same batches
    /// whatever NumWorkers is.</summary>
    public ulong Seed { get; init; }

    /// <summary>Keep decoded images in memory after their first load (see <see cref="CachedImageDataset"/>).</summary>
    public bool CacheImages { get; init; }

    /// <summary>Throw the <see cref="ImageDecodeException"/> of an unreadable image (when its batch is
    /// reached) instead of leaving the image out of its batch with a warning.</summary>
    public bool Strict { get; init; }

    /// <summary>Called on the consuming thread, in batch order, the first time an image is skipped.</summary>
    public Action<DataWarning>? OnWarning { get; init; }

    /// <summary>Where batch tensors are created (default: CPU).</summary>
    public Device? Device { get; init; }

    internal void Validate()
    {
        if (BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(BatchSize), $"BatchSize must be positive, not {BatchSize}.");
        if (NumWorkers < 0) throw new ArgumentOutOfRangeException(nameof(NumWorkers), "NumWorkers cannot be negative.");
        if (PrefetchBatches < 0) throw new ArgumentOutOfRangeException(nameof(PrefetchBatches), "PrefetchBatches cannot be negative.");
    }
}
