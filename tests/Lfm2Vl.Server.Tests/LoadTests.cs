using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Xunit.Abstractions;

namespace Lfm2Vl.Server.Tests;

/// <summary>Runs alone (no other test class in parallel), so throughput and memory figures are this test's own.</summary>
[CollectionDefinition(nameof(LoadTests), DisableParallelization = true)]
public sealed class LoadCollection;

/// <summary>A bounded load test (500 requests, 8 at a time) and the 503 answers when the server is full.</summary>
[Collection(nameof(LoadTests))]
public sealed class LoadTests(ITestOutputHelper output)
{
    private static HttpContent Png(int seed)
    {
        var c = new ByteArrayContent(TestModel.Encoded(seed));
        c.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return c;
    }

    [Fact]
    public async Task Five_hundred_requests_eight_at_a_time_all_succeed_within_a_memory_bound()
    {
        const int requests = 500, parallel = 8;
        await using var s = await RunningServer.StartAsync(new ServerOptions { MaxQueueLength = parallel, MaxConcurrentRequests = parallel });
        using (var warm = await s.Client.PostAsync("/predict", Png(0))) Assert.Equal(HttpStatusCode.OK, warm.StatusCode);
        long heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        long workingSetBefore = Process.GetCurrentProcess().WorkingSet64;

        var statuses = new HttpStatusCode[requests];
        await Parallel.ForAsync(0, requests, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (i, ct) =>
        {
            using var response = await s.Client.PostAsync("/predict?topK=2", Png(i), ct);
            statuses[i] = response.StatusCode;
            if (response.IsSuccessStatusCode) await response.Content.ReadFromJsonAsync<PredictResponse>(PredictionServer.Json, ct);
        });

        long heapAfter = GC.GetTotalMemory(forceFullCollection: true);
        long workingSetAfter = Process.GetCurrentProcess().WorkingSet64;
        // Throughput is a speed figure and belongs in a benchmark; this test checks errors and memory only.
        output.WriteLine($"{requests} requests, {parallel} at a time");
        output.WriteLine($"managed heap {heapBefore / 1048576.0:F1} -> {heapAfter / 1048576.0:F1} MiB; working set {workingSetBefore / 1048576.0:F1} -> {workingSetAfter / 1048576.0:F1} MiB");
        Assert.All(statuses, st => Assert.Equal(HttpStatusCode.OK, st));
        // Nothing is kept per request: the managed heap grows by less than 32 MiB, the working set by less than 256 MiB.
        Assert.InRange(heapAfter - heapBefore, long.MinValue, 32L * 1024 * 1024);
        Assert.InRange(workingSetAfter - workingSetBefore, long.MinValue, 256L * 1024 * 1024);
        var health = (await s.Client.GetFromJsonAsync<HealthResponse>("/health", PredictionServer.Json))!;
        Assert.Equal(requests + 1, health.Served);
        Assert.Equal(0, health.QueueLength);
    }

    [Fact]
    public async Task Full_queue_answers_503_with_retry_after_then_recovers()
    {
        var gate = new GatedPredictor.Gate();
        await using var s = await RunningServer.StartAsync(new ServerOptions { MaxQueueLength = 1, RetryAfterSeconds = 7 }, p => new GatedPredictor(p, gate));
        var running = s.Client.PostAsync("/predict", Png(1));   // taken by the worker, held at the gate
        await gate.Entered.WaitAsync(TimeSpan.FromSeconds(30));
        var queued = s.Client.PostAsync("/predict", Png(2));    // fills the one-slot queue
        await WaitFor(s, h => h.QueueLength == 2);

        using (var refused = await s.Client.PostAsync("/predict", Png(3)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(7), refused.Headers.RetryAfter?.Delta);
            var error = (await refused.Content.ReadFromJsonAsync<ErrorResponse>(PredictionServer.Json))!;
            Assert.Contains("queue is full", error.Error);
        }

        gate.Open();
        using (var a = await running) Assert.Equal(HttpStatusCode.OK, a.StatusCode);
        using (var b = await queued) Assert.Equal(HttpStatusCode.OK, b.StatusCode);
        using (var again = await s.Client.PostAsync("/predict", Png(4))) Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task Too_many_concurrent_requests_answer_503()
    {
        var gate = new GatedPredictor.Gate();
        await using var s = await RunningServer.StartAsync(new ServerOptions { MaxConcurrentRequests = 1 }, p => new GatedPredictor(p, gate));
        var running = s.Client.PostAsync("/predict", Png(1));
        await gate.Entered.WaitAsync(TimeSpan.FromSeconds(30));
        using (var refused = await s.Client.PostAsync("/predict", Png(2)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter);
            var error = (await refused.Content.ReadFromJsonAsync<ErrorResponse>(PredictionServer.Json))!;
            Assert.Contains("1 requests already", error.Error);
        }
        gate.Open();
        using (var a = await running) Assert.Equal(HttpStatusCode.OK, a.StatusCode);
    }

    [Fact]
    public async Task A_request_whose_client_went_away_is_not_run()
    {
        var gate = new GatedPredictor.Gate();
        var counter = new CountingPredictor();
        await using var s = await RunningServer.StartAsync(new ServerOptions(), p => new GatedPredictor(counter.Wrap(p), gate));
        var running = s.Client.PostAsync("/predict", Png(1));
        await gate.Entered.WaitAsync(TimeSpan.FromSeconds(30));
        using var cancel = new CancellationTokenSource();
        var abandoned = s.Client.PostAsync("/predict", Png(2), cancel.Token);
        await WaitFor(s, h => h.QueueLength == 2);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        await WaitFor(s, h => h.InFlight == 1); // the abandoned request's handler has returned

        gate.Open();
        using (var a = await running) Assert.Equal(HttpStatusCode.OK, a.StatusCode);
        await WaitFor(s, h => h.QueueLength == 0);
        Assert.Equal(1, counter.Calls); // the abandoned job never reached the model
    }

    private sealed class CountingPredictor
    {
        private int _calls;
        public int Calls => Volatile.Read(ref _calls);
        public IPredictor Wrap(IPredictor inner) => new Counting(inner, this);
        private sealed class Counting(IPredictor inner, CountingPredictor owner) : IPredictor
        {
            public IReadOnlyList<Lfm2Vl.Training.Evaluation.ImagePrediction> Predict(IReadOnlyList<(Lfm2Vl.Vision.Data.ImageRgb Image, string Name)> images, int topK)
            {
                Interlocked.Increment(ref owner._calls);
                return inner.Predict(images, topK);
            }
        }
    }

    private static async Task WaitFor(RunningServer s, Func<HealthResponse, bool> condition)
    {
        for (int i = 0; i < 600; i++)
        {
            if (condition((await s.Client.GetFromJsonAsync<HealthResponse>("/health", PredictionServer.Json))!)) return;
            await Task.Delay(50);
        }
        throw new TimeoutException("The server never reached the expected state.");
    }
}
