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

    /// <summary>Runs body(image, worker) over the batch: images in parallel when there are several (inner work then stays
    /// serial), otherwise serially with <paramref name="innerParallel"/> set for the inner work.</summary>
    protected static void ForImages(int n, Action<int, int, bool> body)
    {
        int workers = Math.Min(n, Environment.ProcessorCount);
        if (workers <= 1)
        {
            for (int i = 0; i < n; i++) body(i, 0, true);
            return;
        }
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, t =>
        {
            for (int i = (int)((long)n * t / workers); i < (int)((long)n * (t + 1) / workers); i++) body(i, t, false);
        });
    }

    protected static int Workers(int n) => Math.Max(1, Math.Min(n, Environment.ProcessorCount));

    /// <summary>Output columns unfolded and multiplied at a time: the packed block stays in L2 for the GEMM.</summary>
    public const int ColumnBlock = 256;

    /// <summary>Workers used by <see cref="ForBlocks"/> for a batch of n images of this many output pixels.</summary>
    protected static int BlockWorkers(int n, int plane, long multiplyAdds) => !WorthSplitting(multiplyAdds) ? 1 :
        Math.Max(1, Math.Min(n * ((plane + ColumnBlock - 1) / ColumnBlock), Environment.ProcessorCount));

    /// <summary>
    /// Multiply-adds below which a whole convolution runs on one core: splitting a layer of a few million
    /// multiply-adds (tens of microseconds) costs about as much in waking and joining workers as it saves, and
    /// on a shared machine the second core is often busy. The split never changes the results (each block is
    /// computed the same way on any worker).
    /// </summary>
    public const long SerialWork = 1L << 23;

    /// <summary>Whether a convolution of this size should use several cores.</summary>
    protected static bool WorthSplitting(long multiplyAdds) => multiplyAdds >= SerialWork && Environment.ProcessorCount > 1;

    /// <summary>
    /// Runs body(image, colStart, colCount, worker, innerParallel) over every image and block of
    /// <see cref="ColumnBlock"/> output pixels, the tasks spread over the cores; with a single task (one image, one
    /// block) the body runs alone with <c>innerParallel</c> set, so the GEMM splits its rows instead. Below
    /// <see cref="SerialWork"/> multiply-adds everything runs on the calling thread.
    /// </summary>
    protected static void ForBlocks(int n, int plane, long multiplyAdds, Action<int, int, int, int, bool> body)
    {
        int blocks = (plane + ColumnBlock - 1) / ColumnBlock, tasks = n * blocks;
        bool split = WorthSplitting(multiplyAdds);
        int workers = BlockWorkers(n, plane, multiplyAdds);
        void Task(int t, int worker, bool inner)
        {
            int img = t / blocks, start = t % blocks * ColumnBlock;
            body(img, start, Math.Min(ColumnBlock, plane - start), worker, inner);
        }
        if (workers <= 1)
        {
            for (int t = 0; t < tasks; t++) Task(t, 0, split);
            return;
        }
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, wk =>
        {
            for (int t = (int)((long)tasks * wk / workers); t < (int)((long)tasks * (wk + 1) / workers); t++) Task(t, wk, false);
        });
    }
}
