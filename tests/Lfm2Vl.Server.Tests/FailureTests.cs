using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Lfm2Vl.Training.Evaluation;
using Lfm2Vl.Vision.Data;

namespace Lfm2Vl.Server.Tests;

/// <summary>Failures that are not the client's input: a model that throws, unknown routes, and loading from a checkpoint file.</summary>
public sealed class FailureTests
{
    /// <summary>Throws on the first call (an injected model fault), then predicts normally.</summary>
    private sealed class FailsOnce(IPredictor inner) : IPredictor
    {
        private int _calls;
        public IReadOnlyList<ImagePrediction> Predict(IReadOnlyList<(ImageRgb Image, string Name)> images, int topK) =>
            Interlocked.Increment(ref _calls) == 1 ? throw new InvalidOperationException("injected model failure") : inner.Predict(images, topK);
    }

    private static HttpContent Png(int seed)
    {
        var c = new ByteArrayContent(TestModel.Encoded(seed));
        c.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        return c;
    }

    [Fact]
    public async Task A_model_failure_is_a_500_json_and_the_worker_keeps_serving()
    {
        await using var s = await RunningServer.StartAsync(wrap: p => new FailsOnce(p));
        using (var failed = await s.Client.PostAsync("/predict", Png(1)))
        {
            Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
            Assert.Contains("injected model failure", (await failed.Content.ReadFromJsonAsync<ErrorResponse>(PredictionServer.Json))!.Error);
        }
        using var ok = await s.Client.PostAsync("/predict", Png(1));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Theory]
    [InlineData("GET", "/nothing-here", HttpStatusCode.NotFound)]
    [InlineData("GET", "/predict", HttpStatusCode.MethodNotAllowed)]
    [InlineData("DELETE", "/model", HttpStatusCode.MethodNotAllowed)]
    public async Task Unknown_routes_and_methods_answer_json(string method, string path, HttpStatusCode status)
    {
        await using var s = await RunningServer.StartAsync();
        using var response = await s.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        Assert.Equal(status, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<ErrorResponse>(PredictionServer.Json))!;
        Assert.Contains(path, error.Error);
    }

    [Fact]
    public async Task FromCheckpoint_serves_the_file_with_its_class_names()
    {
        await using var server = PredictionServer.FromCheckpoint(TestModel.CheckpointFile, new ServerOptions { Urls = ["http://127.0.0.1:0"] });
        await server.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(server.Addresses.Single()) };
        Assert.StartsWith("http://127.0.0.1:", server.Addresses.Single());
        using var response = await client.PostAsync("/predict", Png(2));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<PredictResponse>(PredictionServer.Json))!;
        Assert.Equal(TestModel.Classes.Length, body.Predictions.Count); // default top-5, capped at the 3 classes
        Assert.Subset(TestModel.Classes.ToHashSet(), body.Predictions.Select(p => p.ClassName).ToHashSet());
    }

    [Fact]
    public async Task A_missing_checkpoint_fails_before_listening()
    {
        var e = await Assert.ThrowsAsync<FileNotFoundException>(() =>
            Task.Run(() => PredictionServer.FromCheckpoint("/nonexistent/model.safetensors", new ServerOptions { Urls = ["http://127.0.0.1:0"] })));
        Assert.Contains("does not exist", e.Message);
    }
}
