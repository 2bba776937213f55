using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Lfm2Vl.Training.Checkpoints;
using Lfm2Vl.Training.Evaluation;
using Lfm2Vl.Vision.Data;

namespace Lfm2Vl.Server.Tests;

/// <summary>The server's predictions are the library's: same classes, probabilities and boxes for the same bytes.</summary>
public sealed class PredictionTests : IAsyncLifetime
{
    private RunningServer _s = null!;
    private ModelEvaluator _library = null!;

    public async Task InitializeAsync()
    {
        _s = await RunningServer.StartAsync();
        _library = ModelInfo.EvaluatorFor(Checkpoint.LoadModel(TestModel.CheckpointFile), TestModel.Options);
    }

    public async Task DisposeAsync() => await _s.DisposeAsync();

    private static void AssertSame(ImagePrediction expected, string name, int width, int height, IReadOnlyList<ClassProbability> top, IReadOnlyList<PredictedBox> boxes)
    {
        Assert.Equal(expected.Width, width);
        Assert.Equal(expected.Height, height);
        Assert.Equal(expected.TopK, top); // records: index, name and the exact double probability
        Assert.NotEmpty(expected.Boxes); // so the comparison covers boxes, in the original image's pixels
        Assert.Equal(expected.Boxes, boxes);
        Assert.False(string.IsNullOrEmpty(name));
    }

    [Theory]
    [InlineData(1, ImageFileFormat.Png)]
    [InlineData(2, ImageFileFormat.Jpeg)]
    [InlineData(3, ImageFileFormat.Bmp)]
    public async Task Multipart_upload_predicts_what_the_library_predicts(int seed, ImageFileFormat format)
    {
        var bytes = TestModel.Encoded(seed, format: format);
        var expected = _library.Predict([(ImageDecoder.Decode(bytes), "x")], topK: 3)[0];
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/" + format.ToString().ToLowerInvariant());
        form.Add(file, "image", "picture." + format.ToString().ToLowerInvariant());
        using var response = await _s.Client.PostAsync("/predict?topK=3", form);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<PredictResponse>(PredictionServer.Json))!;
        AssertSame(expected, body.Name, body.Width, body.Height, body.Predictions, body.Boxes);
        Assert.Equal(3, body.Predictions.Count);
        Assert.Equal(1.0, body.Predictions.Sum(p => p.Probability), 9); // all 3 classes
        Assert.True(body.Timing.TotalMs >= body.Timing.InferenceMs && body.Timing.InferenceMs > 0);
    }

    [Fact]
    public async Task Raw_image_body_predicts_what_the_library_predicts()
    {
        var bytes = TestModel.Encoded(5, 64, 30);
        var expected = _library.Predict([(ImageDecoder.Decode(bytes), "x")], topK: 2)[0];
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        using var response = await _s.Client.PostAsync("/predict?topK=2", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<PredictResponse>(PredictionServer.Json))!;
        AssertSame(expected, body.Name, body.Width, body.Height, body.Predictions, body.Boxes);
        Assert.Equal(2, body.Predictions.Count);
    }

    [Fact]
    public async Task Batch_returns_each_image_in_order_as_the_library_does()
    {
        var images = Enumerable.Range(10, 4).Select(i => TestModel.Encoded(i, 30 + i, 50 - i)).ToArray();
        var expected = _library.Predict(images.Select((b, i) => (ImageDecoder.Decode(b), $"f{i}.png")), topK: 3);
        using var form = new MultipartFormDataContent();
        for (int i = 0; i < images.Length; i++)
        {
            var file = new ByteArrayContent(images[i]);
            file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            form.Add(file, "images", $"f{i}.png");
        }
        using var response = await _s.Client.PostAsync("/predict/batch?topK=3", form);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<BatchResponse>(PredictionServer.Json))!;
        Assert.Equal(images.Length, body.Results.Count);
        for (int i = 0; i < images.Length; i++)
        {
            Assert.Equal($"f{i}.png", body.Results[i].Name);
            AssertSame(expected[i], body.Results[i].Name, body.Results[i].Width, body.Results[i].Height, body.Results[i].Predictions, body.Results[i].Boxes);
        }
    }

    [Fact]
    public async Task Health_model_openapi_and_page_answer()
    {
        var health = (await _s.Client.GetFromJsonAsync<HealthResponse>("/health", PredictionServer.Json))!;
        Assert.Equal("ok", health.Status);
        Assert.Equal("lfm2_vl-cnn-small", health.Model);

        using var model = JsonDocument.Parse(await _s.Client.GetStringAsync("/model"));
        var root = model.RootElement;
        Assert.Equal(TestModel.Classes, root.GetProperty("classes").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal(32, root.GetProperty("inputSize").GetInt32());
        Assert.Equal("cnn", root.GetProperty("backbone").GetString());
        Assert.Equal(0.5, root.GetProperty("metrics").GetProperty("accuracy").GetDouble());
        Assert.Equal("NaN", root.GetProperty("metrics").GetProperty("map").GetString());

        using var spec = JsonDocument.Parse(await _s.Client.GetStringAsync("/openapi.json"));
        Assert.StartsWith("3.", spec.RootElement.GetProperty("openapi").GetString());
        var paths = spec.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Equal(new HashSet<string> { "/predict", "/predict/batch", "/health", "/model", "/openapi.json", "/" }, paths);

        using var page = await _s.Client.GetAsync("/");
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<canvas", html);
        Assert.Contains("fetch('predict'", html); // relative, so the page also works behind a path prefix
        Assert.DoesNotContain("src=\"http", html); // no external assets
    }
}
