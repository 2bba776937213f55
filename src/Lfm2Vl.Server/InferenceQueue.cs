using System.Diagnostics;
using System.Threading.Channels;
using Lfm2Vl.Training.Evaluation;
using Lfm2Vl.Vision.Data;

namespace Lfm2Vl.Server;

/// <summary>The result of one inference job and how long it waited and ran.</summary>
public sealed record InferenceResult(IReadOnlyList<ImagePrediction> Predictions, double QueueMs, double InferenceMs);

/// <summary>
/// The one way requests reach the model, which is not thread-safe: a bounded channel of jobs drained by a
/// single worker thread. A full queue refuses at once (the caller answers 503) instead of growing memory.
/// Jobs whose client went away are skipped rather than run.
/// </summary>
public sealed class InferenceQueue : IAsyncDisposable
{
    private sealed record Job(IReadOnlyList<(ImageRgb Image, string Name)> Images, int TopK, long EnqueuedAt,
        TaskCompletionSource<InferenceResult> Completion, CancellationToken Cancellation);

    private readonly Channel<Job> _channel;
    private readonly IPredictor _predictor;
    private readonly Task _worker;
    private int _pending;

    public InferenceQueue(IPredictor predictor, int capacity)
    {
        _predictor = predictor;
        _channel = Channel.CreateBounded<Job>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait, // TryWrite returns false when full; nothing is dropped silently
            SingleReader = true,
        });
        _worker = Task.Run(Work);
    }

    /// <summary>Jobs waiting or running.</summary>
    public int Pending => Volatile.Read(ref _pending);

    /// <summary>Queues a job; null when the queue is full.</summary>
    public Task<InferenceResult>? TryEnqueue(IReadOnlyList<(ImageRgb Image, string Name)> images, int topK, CancellationToken cancellation)
    {
        var job = new Job(images, topK, Stopwatch.GetTimestamp(), new TaskCompletionSource<InferenceResult>(TaskCreationOptions.RunContinuationsAsynchronously), cancellation);
        Interlocked.Increment(ref _pending);
        if (_channel.Writer.TryWrite(job)) return job.Completion.Task;
        Interlocked.Decrement(ref _pending);
        return null;
    }

    private async Task Work()
    {
        await foreach (var job in _channel.Reader.ReadAllAsync())
        {
            try
            {
                if (job.Cancellation.IsCancellationRequested) { job.Completion.TrySetCanceled(job.Cancellation); continue; }
                long start = Stopwatch.GetTimestamp();
                var predictions = _predictor.Predict(job.Images, job.TopK);
                job.Completion.TrySetResult(new InferenceResult(predictions,
                    Stopwatch.GetElapsedTime(job.EnqueuedAt, start).TotalMilliseconds, Stopwatch.GetElapsedTime(start).TotalMilliseconds));
            }
            catch (Exception e)
            {
                job.Completion.TrySetException(e); // the worker keeps serving the next job
            }
            finally
            {
                Interlocked.Decrement(ref _pending);
            }
        }
    }

    /// <summary>Stops taking jobs and lets the worker finish those already queued.</summary>
    public async ValueTask DisposeAsync()
    {
        _channel.Writer.TryComplete();
        await _worker.ConfigureAwait(false);
    }
}
