using Lfm2Vl.Engine.Backends.Cpu;
using Xunit;

namespace Lfm2Vl.Engine.Tests.Memory;

/// <summary>The pool's quarter-octave size classes: every request fits its array, rounding wastes at most a
/// quarter, and an array's own length leads back to the class it was rented from (or it would be pooled wrongly).</summary>
public class BufferPoolSizeClassTests
{
    public static IEnumerable<object[]> Lengths()
    {
        int[] fixedOnes = [1, 63, 64, 65, 79, 80, 81, 127, 128, 129, 1000, 4096, 4097, 25_690_112, 1 << 30, (1 << 30) + 1, int.MaxValue - 100];
        foreach (var n in fixedOnes) yield return [n];
        var rng = new Random(11);
        for (int i = 0; i < 40; i++) yield return [rng.Next(1, int.MaxValue)];
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void ClassFitsWastesAtMostAQuarterAndMapsBack(int length)
    {
        var (cls, n) = CpuBufferPool.SizeClass(length);
        Assert.True(n >= Math.Min(length, 0x7FFFFFC7), $"length {length} got an array of {n}");
        if (length > 64) Assert.True(n <= length * 1.25 + 1, $"length {length} rounded up to {n}");
        Assert.Equal((cls, n), CpuBufferPool.SizeClass(n));
    }

    [Fact]
    public void ClassesGrowMonotonically()
    {
        var (previousClass, previousLength) = CpuBufferPool.SizeClass(1);
        for (long length = 2; length <= int.MaxValue; length = length * 9 / 8 + 1)
        {
            var (cls, n) = CpuBufferPool.SizeClass((int)length);
            Assert.True(cls >= previousClass && n >= previousLength);
            Assert.True(cls > previousClass == n > previousLength);
            (previousClass, previousLength) = (cls, n);
        }
    }

    [Fact]
    public void ReturnedArrayIsReusedForAnotherLengthOfTheSameClass()
    {
        var pool = new CpuBufferPool();
        var a = pool.Rent(DType.Float32, 1000); // class of 1024
        pool.Return(DType.Float32, a);
        var b = pool.Rent(DType.Float32, 970);
        Assert.Same(a, b);
        Assert.Equal(1, pool.ArraysCreated);
        var c = pool.Rent(DType.Float32, 1100); // the next class (1280)
        Assert.NotSame(a, c);
        Assert.Equal(1280, c.Length);
    }
}
