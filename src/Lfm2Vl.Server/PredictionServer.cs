using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Lfm2Vl.Training.Checkpoints;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;

namespace Lfm2Vl.Server;

/// <summary>
/// The prediction REST API on Kestrel: POST /predict, POST /predict/batch, GET /health, GET /model,
/// GET /openapi.json and a web page at /. Inference goes through one <see cref="InferenceQueue"/> worker.
/// Start with <see cref="StartAsync"/>, read <see cref="Addresses"/> (port 0 binds a free port), stop by disposing.
/// </summary>
public sealed class PredictionServer : IAsyncDisposable
{
    /// <summary>JSON of every response: camelCase; NaN metrics written as "NaN" rather than failing.</summary>
    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        // Responses are JSON documents, never inlined into HTML: keep quotes in error messages readable.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly WebApplication _app;
    private readonly InferenceQueue _queue;
    private readonly PredictionEndpoints _endpoints;
    private readonly ServerCounters _counters = new();
    private readonly long _startedAt = Stopwatch.GetTimestamp();

    public PredictionServer(IPredictor predictor, ModelInfo model, ServerOptions options, Action<ILoggingBuilder>? logging = null)
    {
        options.Validate();
        Options = options;
        Model = model;
        _queue = new InferenceQueue(predictor, options.MaxQueueLength);
        _endpoints = new PredictionEndpoints(options, _queue, _counters, model.Classes.Count, Json);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        if (logging is not null) logging(builder.Logging);
        builder.WebHost.UseUrls([.. options.Urls]);
        builder.WebHost.ConfigureKestrel(k =>
        {
            // A batch may carry MaxBatchImages files of MaxImageBytes each, plus multipart framing.
            k.Limits.MaxRequestBodySize = options.MaxImageBytes * options.MaxBatchImages + 1024 * 1024;
        });
        _app = builder.Build();
        Map(_app);
    }

    /// <summary>Loads a checkpoint and serves it with the library's evaluator (on <paramref name="device"/>, default the CPU; an accelerator must be opened first).</summary>
    public static PredictionServer FromCheckpoint(string path, ServerOptions options, Action<ILoggingBuilder>? logging = null, Lfm2Vl.Engine.Device? device = null)
    {
        var loaded = Checkpoint.LoadModel(path, device);
        return new PredictionServer(new EvaluatorPredictor(ModelInfo.EvaluatorFor(loaded)), ModelInfo.From(loaded.Metadata), options, logging);
    }

    public ServerOptions Options { get; }
    public ModelInfo Model { get; }

    /// <summary>The addresses Kestrel bound (with the real port when 0 was asked for); valid after StartAsync.</summary>
    public IReadOnlyList<string> Addresses =>
        _app.Services.GetService(typeof(IServer)) is IServer server && server.Features.Get<IServerAddressesFeature>() is { } f
            ? f.Addresses.ToArray() : [];

    public Task StartAsync(CancellationToken ct = default) => _app.StartAsync(ct);

    /// <summary>After StartAsync: returns once the host stops (Ctrl+C, SIGTERM) or <paramref name="ct"/> is cancelled, stopping gracefully.</summary>
    public Task WaitForShutdownAsync(CancellationToken ct = default) => _app.WaitForShutdownAsync(ct);

    private void Map(WebApplication app)
    {
        // Unknown paths (404) and wrong methods (405) answer JSON like every other error.
        app.UseStatusCodePages(async status =>
        {
            var (request, response) = (status.HttpContext.Request, status.HttpContext.Response);
            await response.WriteAsJsonAsync(new ErrorResponse(
                $"{response.StatusCode} {ReasonPhrases.GetReasonPhrase(response.StatusCode)}: {request.Method} {request.Path}. See /openapi.json for the API."), Json);
        });
        app.Use(async (context, next) =>
        {
            try { await next(context); }
            catch (Exception e) when (!context.Response.HasStarted && e is not OperationCanceledException)
            {
                // A failure inside the model (or a bug) answers 500 JSON; the server keeps serving.
                context.Response.Clear();
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                await context.Response.WriteAsJsonAsync(new ErrorResponse($"Internal error: {e.Message}"), Json);
            }
        });
        // Func (not RequestDelegate) so the returned IResult is written to the response.
        app.MapPost("/predict", (Func<HttpContext, Task<IResult>>)_endpoints.PredictOne);
        app.MapPost("/predict/batch", (Func<HttpContext, Task<IResult>>)_endpoints.PredictBatch);
        app.MapGet("/health", () => Results.Json(new HealthResponse("ok", Model.Name, _queue.Pending, _endpoints.InFlight,
            Interlocked.Read(ref _counters.Served), Interlocked.Read(ref _counters.Rejected),
            Math.Round(Stopwatch.GetElapsedTime(_startedAt).TotalSeconds, 3)), Json));
        app.MapGet("/model", () => Results.Json(Model, Json));
        app.MapGet("/openapi.json", () => Results.Text(Assets.OpenApiJson, "application/json"));
        app.MapGet("/", () => Results.Text(Assets.IndexHtml, "text/html; charset=utf-8"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _queue.DisposeAsync();
    }
}
