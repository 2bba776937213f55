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
}
