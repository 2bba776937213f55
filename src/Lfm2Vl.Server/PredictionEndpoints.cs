using System.Diagnostics;
using System.Text.Json;
using Lfm2Vl.Vision.Data;
using Microsoft.AspNetCore.Http;

namespace Lfm2Vl.Server;

/// <summary>
/// POST /predict and /predict/batch: admission (503 with Retry-After when MaxConcurrentRequests are already
/// being handled or the inference queue is full), reading and validating the upload, then one queued job.
/// </summary>
internal sealed class PredictionEndpoints(ServerOptions options, InferenceQueue queue, ServerCounters counters, int classCount, JsonSerializerOptions json)
{
    private readonly UploadReader _reader = new(options);
    private readonly ImageValidator _validator = new(options);
    private int _inFlight;

    public int InFlight => Volatile.Read(ref _inFlight);

    public Task<IResult> PredictOne(HttpContext context) => Handle(context, batch: false);

    public Task<IResult> PredictBatch(HttpContext context) => Handle(context, batch: true);

    private async Task<IResult> Handle(HttpContext context, bool batch)
    {
        long start = Stopwatch.GetTimestamp();
        if (Interlocked.Increment(ref _inFlight) > options.MaxConcurrentRequests)
        {
            Interlocked.Decrement(ref _inFlight);
            return Busy(context, $"The server is handling {options.MaxConcurrentRequests} requests already; retry later.");
        }
        try
        {
            var ct = context.RequestAborted;
            int topK = ReadTopK(context.Request);
            var uploads = await _reader.ReadAsync(context.Request, batch, ct);
            var images = new List<(ImageRgb Image, string Name)>(uploads.Count);
            foreach (var upload in uploads) images.Add((_validator.Decode(upload), upload.Name));
            double decodeMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;

            var job = queue.TryEnqueue(images, topK, ct);
            if (job is null) return Busy(context, $"The inference queue is full ({options.MaxQueueLength} jobs); retry later.");
            // A client that goes away frees its slot at once; the worker then skips its job instead of running it.
            var result = await job.WaitAsync(ct);
            var timing = new Timing(Round(decodeMs), Round(result.QueueMs), Round(result.InferenceMs), Round(Stopwatch.GetElapsedTime(start).TotalMilliseconds));
            Interlocked.Increment(ref counters.Served);
            if (batch) return Results.Json(new BatchResponse(result.Predictions.Select(ImageResult.From).ToArray(), timing), json);
            var p = result.Predictions[0];
            return Results.Json(new PredictResponse(p.Path, p.Width, p.Height, p.TopK, p.Boxes, timing), json);
        }
        catch (ApiException e)
        {
            Interlocked.Increment(ref counters.Rejected);
            return Error(e.StatusCode, e.Message, json);
        }
        catch (BadHttpRequestException e) // Kestrel's own limits and framing errors while reading the body
        {
            Interlocked.Increment(ref counters.Rejected);
            return Error(e.StatusCode, e.Message, json);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private int ReadTopK(HttpRequest request)
    {
        if (!request.Query.TryGetValue("topK", out var values)) return Math.Min(options.DefaultTopK, classCount);
        if (!int.TryParse(values.ToString(), out int k) || k < 1)
            throw new ApiException(400, $"topK must be a positive integer, not '{values}'.");
        return Math.Min(k, classCount);
    }

    private IResult Busy(HttpContext context, string message)
    {
        Interlocked.Increment(ref counters.Rejected);
        context.Response.Headers.RetryAfter = options.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Error(StatusCodes.Status503ServiceUnavailable, message, json);
    }

    public static IResult Error(int status, string message, JsonSerializerOptions json) =>
        Results.Json(new ErrorResponse(message), json, statusCode: status);

    private static double Round(double ms) => Math.Round(ms, 3);
}

/// <summary>Request counts shown by GET /health.</summary>
internal sealed class ServerCounters
{
    public long Served;
    public long Rejected;
}
