using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using Lfm2Vl.Engine;

namespace Lfm2Vl.Vision.Data;

/// <summary>
/// Turns a dataset into batches: a seeded shuffle per epoch, <see cref="LoaderOptions.NumWorkers"/> threads
/// that decode and augment samples in parallel into plain float buffers, at most
/// <see cref="LoaderOptions.PrefetchBatches"/> batches ahead of the consumer, and tensors created on the
/// consuming thread. Sample i of epoch e is augmented with a generator seeded from (Seed, e, i), and batches
/// are assembled by position, so the output for a seed does not depend on the number of workers.
/// Dispose stops the workers.
/// </summary>
public sealed class ImageBatchLoader : IDisposable
{
    private readonly TransformPipeline _transforms;
    private readonly LoaderOptions _options;
    private readonly BlockingCollection<(PendingBatch Batch, int Slot)>? _jobs;
    private readonly Thread[] _workers;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<float[]> _buffers = new();
    private int _epochActive;
    private volatile bool _disposed;

    public ImageBatchLoader(IImageDataset dataset, TransformPipeline transforms, LoaderOptions? options = null)
    {
        _options = options ?? new LoaderOptions();
        _options.Validate();
        Dataset = _options.CacheImages && dataset is not CachedImageDataset ? new CachedImageDataset(dataset) : dataset;
        _transforms = transforms;
        _workers = new Thread[_options.NumWorkers];
        if (_options.NumWorkers > 0)
        {
            _jobs = new BlockingCollection<(PendingBatch, int)>();
            for (int i = 0; i < _workers.Length; i++)
            {
                _workers[i] = new Thread(WorkerLoop) { IsBackground = true, Name = $"lfm2vl-data-{i}" };
                _workers[i].Start();
            }
        }
    }

    /// <summary>The dataset read (wrapped in a cache when CacheImages is set).</summary>
    public IImageDataset Dataset { get; }

    public LoaderOptions Options => _options;

    public int BatchesPerEpoch => _options.DropLast
        ? Dataset.Count / _options.BatchSize
        : (Dataset.Count + _options.BatchSize - 1) / _options.BatchSize;

    /// <summary>Worker threads still running (for tests of Dispose).</summary>
    internal int AliveWorkers => _workers.Count(t => t is { IsAlive: true });

    /// <summary>The order samples are visited in during <paramref name="epoch"/>.</summary>
    public int[] EpochOrder(int epoch)
    {
        var order = Enumerable.Range(0, Dataset.Count).ToArray();
        if (_options.Shuffle) new Generator(SampleSeeds.Derive(_options.Seed, epoch, SampleSeeds.ShuffleStream)).Shuffle(order.AsSpan());
        return order;
    }

    /// <summary>
    /// The batches of one epoch, prepared in the background while they are consumed. One epoch is
    /// enumerated at a time; leaving the loop early cancels the rest of the epoch. A skipped (unreadable)
    /// image makes its batch one smaller; a batch whose images were all skipped is left out.
    /// </summary>
    public IEnumerable<ImageBatch> Epoch(int epoch)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return Iterate(epoch);
    }

    private IEnumerable<ImageBatch> Iterate(int epoch)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Interlocked.Exchange(ref _epochActive, 1) == 1)
            throw new InvalidOperationException("Another epoch of this loader is still being enumerated; finish or dispose that enumerator first.");
        using var epochCancel = new CancellationTokenSource();
        Func<bool> cancelled = () => epochCancel.IsCancellationRequested;
        int[] order = EpochOrder(epoch);
        int count = BatchesPerEpoch;
        var pending = new PendingBatch?[count];
        int scheduled = 0;
        try
        {
            for (int b = 0; b < count; b++)
            {
                while (scheduled < count && scheduled <= b + _options.PrefetchBatches)
                {
                    pending[scheduled] = Schedule(epoch, scheduled, order, cancelled);
                    scheduled++;
                }
                var p = pending[b]!;
                if (_jobs is null)
                {
                    for (int slot = 0; slot < p.Samples.Length; slot++) Process(p, slot);
                }
                else
                {
                    try { p.Wait(_stop.Token); }
                    catch (OperationCanceledException) { throw new ObjectDisposedException(nameof(ImageBatchLoader), "The loader was disposed during an epoch."); }
                }
                pending[b] = null;
                var batch = Assemble(p);
                if (batch is not null) yield return batch;
            }
        }
        finally
        {
            epochCancel.Cancel();
            foreach (var p in pending)
            {
                if (p is null) continue;
                if (_jobs is not null && !_disposed)
                {
                    // Cancelled slots finish at once; wait so no worker still writes into a buffer we reuse.
                    try { p.Wait(_stop.Token); } catch (OperationCanceledException) { continue; }
                }
                if (_jobs is null || p.IsDone) _buffers.Add(p.Pixels);
                p.Dispose();
            }
            Volatile.Write(ref _epochActive, 0);
        }
    }

    private PendingBatch Schedule(int epoch, int batchIndex, int[] order, Func<bool> cancelled)
    {
        int start = batchIndex * _options.BatchSize;
        int n = Math.Min(_options.BatchSize, order.Length - start);
        var samples = order.AsSpan(start, n).ToArray();
        int size = _options.BatchSize * _transforms.ValuesPerImage;
        if (!_buffers.TryTake(out var pixels) || pixels.Length != size) pixels = new float[size];
        var p = new PendingBatch(epoch, batchIndex, samples, pixels, cancelled);
        if (_jobs is not null)
        {
            try
            {
                for (int slot = 0; slot < n; slot++) _jobs.Add((p, slot));
            }
            catch (InvalidOperationException) // adding was completed by Dispose
            {
                throw new ObjectDisposedException(nameof(ImageBatchLoader), "The loader was disposed during an epoch.");
            }
        }
        return p;
    }

    private void WorkerLoop()
    {
        try
        {
            foreach (var (batch, slot) in _jobs!.GetConsumingEnumerable(_stop.Token))
            {
                if (!batch.Cancelled()) Process(batch, slot);
                else batch.SlotFinished();
            }
        }
        catch (OperationCanceledException) { }
        catch (ObjectDisposedException) { }
    }

    /// <summary>Loads, augments and writes one sample into its slot; errors are kept for the consumer.</summary>
    private void Process(PendingBatch p, int slot)
    {
        int index = p.Samples[slot];
        try
        {
            var item = Dataset.Load(index);
            var rng = new Generator(SampleSeeds.Derive(_options.Seed, p.Epoch, index));
            var boxes = new List<BoundingBox>(item.Boxes.Count);
            int v = _transforms.ValuesPerImage;
            _transforms.Apply(item, rng, p.Pixels.AsSpan(slot * v, v), boxes);
            p.Labels[slot] = item.Label;
            p.Boxes[slot] = boxes.ToArray();
        }
        catch (ImageDecodeException e) when (!_options.Strict)
        {
            p.Warnings[slot] = new DataWarning(DataWarningKind.UnreadableImage, e.Path, $"Skipped unreadable image '{e.Path}': {e.Reason}");
        }
        catch (Exception e)
        {
            p.Errors[slot] = ExceptionDispatchInfo.Capture(e);
        }
        finally
        {
            p.SlotFinished();
        }
    }

    /// <summary>Reports the batch's warnings, rethrows its first error, and builds the tensors (consumer thread).</summary>
    private ImageBatch? Assemble(PendingBatch p)
    {
        try
        {
            foreach (var w in p.Warnings)
                if (w is not null && Dataset.Report.Add(w)) _options.OnWarning?.Invoke(w);
            foreach (var e in p.Errors) e?.Throw();

            int v = _transforms.ValuesPerImage, kept = 0;
            var labels = new List<int>(p.Samples.Length);
            var boxes = new List<IReadOnlyList<BoundingBox>>(p.Samples.Length);
            var indices = new List<int>(p.Samples.Length);
            for (int slot = 0; slot < p.Samples.Length; slot++)
            {
                if (p.Warnings[slot] is not null) continue;
                if (kept != slot) Array.Copy(p.Pixels, slot * v, p.Pixels, kept * v, v); // close the gap left by a skipped image
                labels.Add(p.Labels[slot]);
                boxes.Add(p.Boxes[slot]!);
                indices.Add(p.Samples[slot]);
                kept++;
            }
            if (kept == 0) return null;
            var images = Tensor.From<float>(p.Pixels.AsSpan(0, kept * v), DType.Float32,
                [kept, 3, _transforms.OutputHeight, _transforms.OutputWidth], _options.Device);
            var labelTensor = Tensor.From<int>(labels.ToArray(), DType.Int32, [kept], _options.Device);
            return new ImageBatch(p.Epoch, p.Index, images, labelTensor, boxes, indices.ToArray());
        }
        finally
        {
            _buffers.Add(p.Pixels);
            p.Dispose();
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _stop.Cancel();
        _jobs?.CompleteAdding();
        foreach (var t in _workers) t?.Join();
        // The queue and the token source are not disposed: a consumer thread may still be looking at them,
        // and neither holds anything once the workers are gone.
    }
}
