namespace Lfm2Vl.Server;

/// <summary>Settings of <see cref="PredictionServer"/>: where it listens and the limits that keep it up under load and bad input.</summary>
public sealed record ServerOptions
{
    /// <summary>Addresses to listen on (port 0 picks a free port; read the bound ones from PredictionServer.Addresses).</summary>
    public IReadOnlyList<string> Urls { get; init; } = ["http://127.0.0.1:8080"];

    /// <summary>Largest encoded image accepted, in bytes (413 above it).</summary>
    public long MaxImageBytes { get; init; } = 10 * 1024 * 1024;

    /// <summary>Largest decoded image accepted, in pixels (width * height; 422 above it, checked from the header before decoding).</summary>
    public long MaxImagePixels { get; init; } = 40_000_000;

    /// <summary>Most images in one POST /predict/batch.</summary>
    public int MaxBatchImages { get; init; } = 16;

    /// <summary>Inference jobs that may wait for the model; when the queue is full new requests get 503.</summary>
    public int MaxQueueLength { get; init; } = 32;

    /// <summary>Prediction requests handled at once (reading, decoding, waiting and running); more get 503.</summary>
    public int MaxConcurrentRequests { get; init; } = 64;

    /// <summary>Seconds a client is told to wait (Retry-After) when the server is full.</summary>
    public int RetryAfterSeconds { get; init; } = 1;

    /// <summary>Classes returned per image unless the request asks (?topK=N).</summary>
    public int DefaultTopK { get; init; } = 5;

    internal void Validate()
    {
        if (Urls.Count == 0) throw new ArgumentException("The server needs at least one URL to listen on.");
        if (MaxImageBytes < 1) throw new ArgumentOutOfRangeException(nameof(MaxImageBytes), "MaxImageBytes must be positive.");
        if (MaxImagePixels < 1) throw new ArgumentOutOfRangeException(nameof(MaxImagePixels), "MaxImagePixels must be positive.");
        if (MaxBatchImages < 1) throw new ArgumentOutOfRangeException(nameof(MaxBatchImages), "MaxBatchImages must be positive.");
        if (MaxQueueLength < 1) throw new ArgumentOutOfRangeException(nameof(MaxQueueLength), "MaxQueueLength must be positive.");
        if (MaxConcurrentRequests < 1) throw new ArgumentOutOfRangeException(nameof(MaxConcurrentRequests), "MaxConcurrentRequests must be positive.");
        if (RetryAfterSeconds < 0) throw new ArgumentOutOfRangeException(nameof(RetryAfterSeconds), "RetryAfterSeconds cannot be negative.");
        if (DefaultTopK < 1) throw new ArgumentOutOfRangeException(nameof(DefaultTopK), "DefaultTopK must be at least 1.");
    }
}
