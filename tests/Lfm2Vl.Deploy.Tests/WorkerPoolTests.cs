using Lfm2Vl.Deploy.Inference;
using Xunit;

namespace Lfm2Vl.Deploy.Tests;

/// <summary>The persistent fork/join: every index once, exceptions reach the caller, nesting and concurrent callers.</summary>
public class WorkerPoolTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(17)]
    [InlineData(1000)]
    public void EveryIndexRunsExactlyOnce(int count)
    {
        for (int round = 0; round < 50; round++)
        {
            var hits = new int[count];
            WorkerPool.For(count, hits, static (h, i) => Interlocked.Increment(ref h[i]));
            Assert.All(hits, h => Assert.Equal(1, h));
        }
    }

    [Fact]
    public void ZeroCountRunsNothing()
    {
        int calls = 0;
        WorkerPool.For(0, _ => calls++);
        Assert.Equal(0, calls);
    }

    [Fact]
    public void ExceptionReachesTheCallerAndThePoolStaysUsable()
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            WorkerPool.For(8, i => { if (i == 5) throw new InvalidOperationException("index 5"); }));
        Assert.Equal("index 5", e.Message);
        var hits = new int[4];
        WorkerPool.For(4, i => Interlocked.Increment(ref hits[i]));
        Assert.All(hits, h => Assert.Equal(1, h));
    }

    [Fact]
    public void NestedCallsRunInlineWithoutDeadlock()
    {
        var hits = new int[6 * 5];
        var thread = new Thread(() => WorkerPool.For(6, outer => WorkerPool.For(5, inner => Interlocked.Increment(ref hits[outer * 5 + inner]))));
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(30)), "nested WorkerPool.For did not finish");
        Assert.All(hits, h => Assert.Equal(1, h));
    }

    [Fact]
    public void ConcurrentCallersAllGetCorrectResults()
    {
        const int Callers = 4, Rounds = 200, Count = 64;
        var sums = new long[Callers];
        var threads = Enumerable.Range(0, Callers).Select(c => new Thread(() =>
        {
            for (int r = 0; r < Rounds; r++)
            {
                var values = new long[Count];
                WorkerPool.For(Count, values, static (v, i) => v[i] = i + 1);
                sums[c] += values.Sum();
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        Assert.All(threads, t => Assert.True(t.Join(TimeSpan.FromSeconds(60)), "a concurrent caller did not finish"));
        Assert.All(sums, s => Assert.Equal((long)Rounds * Count * (Count + 1) / 2, s));
    }

    [Fact]
    public void CallsAfterTheHelpersBlockedStillComplete()
    {
        // Longer than the spin time, so the helpers are asleep and must be woken.
        for (int round = 0; round < 5; round++)
        {
            Thread.Sleep(WorkerPool.SpinTime * 3 + TimeSpan.FromMilliseconds(2));
            var hits = new int[2];
            WorkerPool.For(2, hits, static (h, i) => { Thread.SpinWait(1000); Interlocked.Increment(ref h[i]); });
            Assert.All(hits, h => Assert.Equal(1, h));
        }
    }
}
