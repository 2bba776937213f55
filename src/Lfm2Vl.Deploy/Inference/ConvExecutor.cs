using Lfm2Vl.Deploy.Graph;

namespace Lfm2Vl.Deploy.Inference;

/// <summary>Runs one lowered convolution over a batch of contiguous NCHW float images (float32 or int8 inside).</summary>
public abstract unsafe class ConvExecutor
{
    protected ConvExecutor(ConvNode node) { Node = node; }

    public ConvNode Node { get; }

    /// <summary>Bytes of weights this executor keeps (packed weights, biases, scales).</summary>
    public abstract long WeightBytes { get; }

    /// <summary>x [n, C, h, w] -> y [n, OC, oh, ow], with the node's bias and activation applied.</summary>
    public abstract void Execute(float* x, int n, int h, int w, float* y, int oh, int ow);

    /// <summary>Runs body(image, worker, innerParallel) over the batch: images in parallel when there are several (inner
    /// work then stays serial), otherwise serially with innerParallel set for the inner work. Workers are numbered
    /// 0..<see cref="Workers"/>-1 and each runs on one thread at a time (per-worker buffers are safe).</summary>
    protected static void ForImages(int n, Action<int, int, bool> body) =>
        ForImages(n, body, static (b, image, worker, inner) => b(image, worker, inner));

    /// <summary><see cref="ForImages(int, Action{int, int, bool})"/> without a closure: pass a static lambda and its state.</summary>
    protected static void ForImages<TState>(int n, TState state, Action<TState, int, int, bool> body)
    {
        int workers = Workers(n);
        if (workers <= 1)
        {
            for (int i = 0; i < n; i++) body(state, i, 0, true);
            return;
        }
        int next = 0;
        WorkerPool.For(workers, new Claims<TState, Action<TState, int, int, bool>>(state, body, &next, n, 1, 0), static (c, worker) =>
        {
            for (int i; (i = Interlocked.Increment(ref *c.Next) - 1) < c.Tasks;) c.Body(c.State, i, worker, false);
        });
    }

    protected static int Workers(int n) => Math.Max(1, Math.Min(n, Environment.ProcessorCount));

    /// <summary>Output columns unfolded and multiplied at a time: the packed block stays in L2 for the GEMM.</summary>
    public const int ColumnBlock = 256;

    /// <summary>Workers used by <see cref="ForBlocks"/> for a batch of n images of this many output pixels.</summary>
    protected static int BlockWorkers(int n, int plane, long multiplyAdds) => multiplyAdds < BlockSplitWork || Environment.ProcessorCount == 1 ? 1 :
        Math.Max(1, Math.Min(n * ((plane + ColumnBlock - 1) / ColumnBlock), Environment.ProcessorCount));

    /// <summary>
    /// Multiply-adds below which a single block's GEMM runs on one core (<c>innerParallel</c> off): the GEMMs split
    /// their rows with their own fork/join, and a layer of a few million multiply-adds (tens of microseconds) gains
    /// about what waking and joining workers costs. The split never changes the results (each block is computed
    /// the same way on any worker).
    /// </summary>
    public const long SerialWork = 1L << 23;

    /// <summary>
    /// Multiply-adds from which several column blocks are spread over the cores: lower than <see cref="SerialWork"/>
    /// because the <see cref="WorkerPool"/> fork/join costs a few microseconds and the caller claims blocks itself,
    /// so a helper that is busy or asleep delays nothing (small CNN conv0, 3.5 M multiply-adds, ~0.1 ms).
    /// </summary>
    public const long BlockSplitWork = 1L << 21;

    /// <summary>Whether a single GEMM of this size should split its rows over several cores.</summary>
    protected static bool WorthSplitting(long multiplyAdds) => multiplyAdds >= SerialWork && Environment.ProcessorCount > 1;

    /// <summary>
    /// Runs body(image, colStart, colCount, worker, innerParallel) over every image and block of
    /// <see cref="ColumnBlock"/> output pixels, the tasks spread over the cores; with a single task (one image, one
    /// block) the body runs alone with <c>innerParallel</c> set (from <see cref="SerialWork"/> multiply-adds), so the
    /// GEMM splits its rows instead. Below <see cref="BlockSplitWork"/> multiply-adds everything runs on the calling thread. Workers are numbered
    /// 0..<see cref="BlockWorkers"/>-1; each claims tasks until none are left, on one thread at a time.
    /// </summary>
    protected static void ForBlocks(int n, int plane, long multiplyAdds, Action<int, int, int, int, bool> body) =>
        ForBlocks(n, plane, multiplyAdds, body, static (b, image, start, count, worker, inner) => b(image, start, count, worker, inner));

    /// <summary><see cref="ForBlocks(int, int, long, Action{int, int, int, int, bool})"/> without a closure: pass a static
    /// lambda and its state (nothing is allocated per call).</summary>
    protected static void ForBlocks<TState>(int n, int plane, long multiplyAdds, TState state, Action<TState, int, int, int, int, bool> body)
    {
        int blocks = (plane + ColumnBlock - 1) / ColumnBlock, tasks = n * blocks;
        int workers = BlockWorkers(n, plane, multiplyAdds);
        if (workers <= 1)
        {
            bool split = WorthSplitting(multiplyAdds);
            for (int t = 0; t < tasks; t++)
            {
                int start = t % blocks * ColumnBlock;
                body(state, t / blocks, start, Math.Min(ColumnBlock, plane - start), 0, split);
            }
            return;
        }
        int next = 0;
        WorkerPool.For(workers, new Claims<TState, Action<TState, int, int, int, int, bool>>(state, body, &next, tasks, blocks, plane), static (c, worker) =>
        {
            for (int t; (t = Interlocked.Increment(ref *c.Next) - 1) < c.Tasks;)
            {
                int start = t % c.Blocks * ColumnBlock;
                c.Body(c.State, t / c.Blocks, start, Math.Min(ColumnBlock, c.Plane - start), worker, false);
            }
        });
    }

    /// <summary>What the workers of one call share: the caller's state and body, and the next unclaimed task (a counter
    /// on the caller's stack, alive until the join returns).</summary>
    private readonly struct Claims<TState, TBody>(TState state, TBody body, int* next, int tasks, int blocks, int plane)
    {
        public readonly TState State = state;
        public readonly TBody Body = body;
        public readonly int* Next = next;
        public readonly int Tasks = tasks, Blocks = blocks, Plane = plane;
    }
}
