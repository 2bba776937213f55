namespace Lfm2Vl.Vision.Data;

/// <summary>
/// Derives independent seeds from (seed, epoch, index) by chained SplitMix64 finalisers, so a sample's
/// augmentation depends only on those three numbers: not on batch position, worker or thread timing.
/// </summary>
public static class SampleSeeds
{
    /// <summary>Index used for an epoch's shuffle stream (samples use indices ≥ 0).</summary>
    public const long ShuffleStream = -1;

    public static ulong Derive(ulong seed, long epoch, long index) => Mix(Mix(Mix(seed) ^ (ulong)epoch) ^ (ulong)index);

    private static ulong Mix(ulong x)
    {
        ulong z = x + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
