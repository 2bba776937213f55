using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Lfm2Vl.Deploy.Inference;

/// <summary>
/// A light fork/join for the inference kernels: one persistent helper thread per extra core that spins briefly
/// after each job and then blocks, so back-to-back layers start without waking a thread and an idle model costs no
/// CPU. A call allocates nothing when its body is a static lambda (state goes through <typeparamref name="TState"/>).
/// <para>
/// One job runs at a time. A call made while the pool is busy (from a body, i.e. nested, or from another thread,
/// e.g. concurrent server requests) runs all its indices inline on the calling thread: it never waits for the
/// pool, so it cannot deadlock. The caller always takes part, and indices are claimed dynamically, so a helper that
/// the OS has not scheduled yet costs nothing: the caller runs the remaining indices itself.
/// </para>
/// </summary>
public static class WorkerPool
{
    /// <summary>Threads a job can use: the caller plus one helper per extra core.</summary>
    public static int Threads { get; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>How long a helper (or the waiting caller) spins before it blocks.</summary>
    public static TimeSpan SpinTime { get; set; } = TimeSpan.FromMicroseconds(100);

    /// <summary>Runs body(i) for i in [0, count), each exactly once, in parallel; rethrows the first exception.</summary>
    public static void For(int count, Action<int> body) => For(count, body, static (b, i) => b(i));

    /// <summary>Runs body(state, i) for i in [0, count), each exactly once, in parallel; rethrows the first exception
    /// (the remaining indices are then skipped).</summary>
    public static void For<TState>(int count, TState state, Action<TState, int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (count <= 0) return;
        if (count == 1 || Threads == 1 || Interlocked.CompareExchange(ref _owned, 1, 0) != 0)
        {
            for (int i = 0; i < count; i++) body(state, i);
            return;
        }
        var job = Job<TState>.Instance;
        job.State = state;
        job.Body = body;
        try
        {
            (_helpers ??= new Helpers(Threads - 1)).Run(job, count);
        }
        finally
        {
            job.State = default!;
            job.Body = null;
            Volatile.Write(ref _owned, 0);
        }
    }

    private static int _owned;
    // Created by the first owner of _owned, so exactly once.
    private static Helpers? _helpers;

    private abstract class Work
    {
        public abstract void Invoke(int index);
    }

    /// <summary>One reusable job object per state type: only the pool's owner fills it, so no allocation per call.</summary>
    private sealed class Job<TState> : Work
    {
        public static readonly Job<TState> Instance = new();
        public TState State = default!;
        public Action<TState, int>? Body;
        public override void Invoke(int index) => Body!(State, index);
    }

    private sealed class Helpers
    {
        // Generation (high 32 bits) and next unclaimed index (low 32 bits): a claim is a compare-exchange that only
        // succeeds while the generation a helper woke for is still the current job. Between jobs the index is Closed,
        // so a late helper holding the previous generation cannot claim past the old count.
        private const long Closed = int.MaxValue;
        private long _ticket = Closed;
        private Work? _work;
        private int _count, _remaining, _sleepers, _callerSleeping;
        private Exception? _error;
        private readonly object _wake = new(), _done = new();

        public Helpers(int helpers)
        {
            for (int i = 0; i < helpers; i++)
                new Thread(Loop) { IsBackground = true, Name = $"Lfm2Vl worker {i + 1}" }.Start();
        }

        public void Run(Work work, int count)
        {
            _work = work;
            _count = count;
            _error = null;
            Volatile.Write(ref _remaining, count);
            int generation = (int)(Volatile.Read(ref _ticket) >> 32) + 1;
            Interlocked.Exchange(ref _ticket, (long)generation << 32);
            if (Volatile.Read(ref _sleepers) > 0) lock (_wake) Monitor.PulseAll(_wake);
            RunShare(generation, work, count);
            WaitDone();
            Interlocked.Exchange(ref _ticket, ((long)generation << 32) | Closed);
            _work = null;
            if (_error is { } e) ExceptionDispatchInfo.Capture(e).Throw();
        }

        private void RunShare(int generation, Work work, int count)
        {
            while (true)
            {
                long t = Volatile.Read(ref _ticket);
                int index = (int)t;
                if ((int)(t >> 32) != generation || index >= count) return;
                if (Interlocked.CompareExchange(ref _ticket, t + 1, t) != t) continue;
                if (Volatile.Read(ref _error) is null)
                {
                    try { work.Invoke(index); }
                    catch (Exception e) { Interlocked.CompareExchange(ref _error, e, null); }
                }
                if (Interlocked.Decrement(ref _remaining) == 0 && Volatile.Read(ref _callerSleeping) != 0)
                    lock (_done) Monitor.PulseAll(_done);
            }
        }

        private void WaitDone()
        {
            long until = Stopwatch.GetTimestamp() + SpinTicks();
            while (Volatile.Read(ref _remaining) != 0)
            {
                if (Stopwatch.GetTimestamp() < until) { Pause(); continue; }
                lock (_done)
                {
                    Interlocked.Exchange(ref _callerSleeping, 1);
                    while (Volatile.Read(ref _remaining) != 0) Monitor.Wait(_done);
                    Interlocked.Exchange(ref _callerSleeping, 0);
                }
            }
        }

        private void Loop()
        {
            int seen = 0;
            while (true)
            {
                int generation = WaitForJob(seen);
                seen = generation;
                // The job fields are written before the ticket is published; if a newer job replaced them meanwhile,
                // the claim below fails on the generation and this helper just waits again.
                var work = Volatile.Read(ref _work);
                int count = Volatile.Read(ref _count);
                if (work is not null) RunShare(generation, work, count);
            }
        }

        private int WaitForJob(int seen)
        {
            long until = Stopwatch.GetTimestamp() + SpinTicks();
            while (true)
            {
                int generation = (int)(Volatile.Read(ref _ticket) >> 32);
                if (generation != seen) return generation;
                if (Stopwatch.GetTimestamp() < until) { Pause(); continue; }
                lock (_wake)
                {
                    Interlocked.Increment(ref _sleepers);
                    while ((int)(Volatile.Read(ref _ticket) >> 32) == seen) Monitor.Wait(_wake);
                    Interlocked.Decrement(ref _sleepers);
                }
            }
        }

        /// <summary>One spin step that also offers the core to any other runnable thread (sched_yield): on a machine
        /// with as many busy threads as cores, a spinning helper must not keep the .NET thread pool (the GEMMs'
        /// Parallel.For) or another process off its core.</summary>
        private static void Pause()
        {
            Thread.SpinWait(20);
            Thread.Yield();
        }

        private static long SpinTicks() => (long)(SpinTime.TotalSeconds * Stopwatch.Frequency);
    }
}
