using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Lfm2Vl.Vision.Data;

namespace Lfm2Vl.Server.Tests;

/// <summary>Each kind of bad upload gets its 4xx and a JSON error saying what is wrong; the server keeps serving.</summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private const long ByteLimit = 256 * 1024;
    private const long PixelLimit = 1_000_000;
    private RunningServer _s = null!;

    public async Task InitializeAsync() =>
        _s = await RunningServer.StartAsync(new ServerOptions { MaxImageBytes = ByteLimit, MaxImagePixels = PixelLimit, MaxBatchImages = 3 });

    public async Task DisposeAsync() => await _s.DisposeAsync();

    private static HttpContent Raw(byte[] bytes, string? contentType)
    {
        var c = new ByteArrayContent(bytes);
        c.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType);
        return c;
    }

    private static MultipartFormDataContent Form(string field, params (string Name, byte[] Bytes, string Type)[] files)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, bytes, type) in files)
        {
            var file = new ByteArrayContent(bytes);
            file.Headers.ContentType = new MediaTypeHeaderValue(type);
            form.Add(file, field, name);
        }
        return form;
    }

    private async Task AssertError(string path, HttpContent content, HttpStatusCode status, string saying)
    {
        using var response = await _s.Client.PostAsync(path, content);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var error = (await response.Content.ReadFromJsonAsync<ErrorResponse>(PredictionServer.Json))!;
        Assert.Contains(saying, error.Error, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(error.Error, char.IsControl);
        // The server is still up and still predicts.
        using var ok = await _s.Client.PostAsync("/predict", Raw(TestModel.Encoded(1), "image/png"));
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public Task Not_an_image_is_422() =>
        AssertError("/predict", Raw(Encoding.UTF8.GetBytes("hello, this is text and not a PNG at all"), "image/png"), HttpStatusCode.UnprocessableEntity, "'upload' is not an image");

    [Fact]
    public Task Truncated_png_is_422()
    {
        var png = TestModel.Encoded(3, 64, 64);
        return AssertError("/predict", Raw(png[..(png.Length / 2)], "image/png"), HttpStatusCode.UnprocessableEntity, "cannot be decoded");
    }

    [Fact]
    public Task Truncated_jpeg_in_multipart_is_422()
    {
        var jpeg = TestModel.Encoded(4, 64, 64, ImageFileFormat.Jpeg);
        return AssertError("/predict", Form("image", ("cut.jpg", jpeg[..(jpeg.Length * 2 / 3)], "image/jpeg")), HttpStatusCode.UnprocessableEntity, "'cut.jpg' cannot be decoded");
    }

    [Fact]
    public Task Too_many_bytes_raw_is_413() =>
        AssertError("/predict", Raw(new byte[ByteLimit + 1], "image/png"), HttpStatusCode.RequestEntityTooLarge, $"limit is {ByteLimit} bytes");

    [Fact]
    public Task Too_many_bytes_in_multipart_is_413() =>
        AssertError("/predict", Form("image", ("big.png", new byte[ByteLimit + 10], "image/png")), HttpStatusCode.RequestEntityTooLarge, "larger than the limit");

    [Fact]
    public Task Too_many_pixels_is_422_before_decoding() =>
        // A black 1001x1000 PNG is a few kilobytes: under the byte limit, over the pixel limit.
        AssertError("/predict", Raw(ImageEncoder.Encode(new ImageRgb(1001, 1000), ImageFileFormat.Png), "image/png"),
            HttpStatusCode.UnprocessableEntity, $"the limit is {PixelLimit} pixels");

    [Fact]
    public Task Wrong_content_type_is_415() =>
        AssertError("/predict", Raw(TestModel.Encoded(1), "text/plain"), HttpStatusCode.UnsupportedMediaType, "text/plain");

    [Fact]
    public Task Missing_content_type_is_415() =>
        AssertError("/predict", Raw(TestModel.Encoded(1), null), HttpStatusCode.UnsupportedMediaType, "no Content-Type");

    [Fact]
    public Task Non_image_part_in_multipart_is_415() =>
        AssertError("/predict", Form("image", ("notes.txt", Encoding.UTF8.GetBytes("text"), "text/plain")), HttpStatusCode.UnsupportedMediaType, "notes.txt");

    [Fact]
    public Task Empty_body_is_400() =>
        AssertError("/predict", Raw([], "image/png"), HttpStatusCode.BadRequest, "empty");

    [Fact]
    public Task Empty_file_in_multipart_is_400() =>
        AssertError("/predict", Form("image", ("empty.png", [], "image/png")), HttpStatusCode.BadRequest, "empty");

    [Fact]
    public Task Multipart_without_the_image_field_is_400() =>
        AssertError("/predict", Form("photo", ("a.png", TestModel.Encoded(1), "image/png")), HttpStatusCode.BadRequest, "\"image\"");

    [Fact]
    public Task Batch_with_too_many_files_is_413() =>
        AssertError("/predict/batch", Form("images", Enumerable.Range(0, 4).Select(i => ($"{i}.png", TestModel.Encoded(i), "image/png")).ToArray()),
            HttpStatusCode.RequestEntityTooLarge, "at most 3");

    [Fact]
    public Task Batch_with_a_raw_body_is_415() =>
        AssertError("/predict/batch", Raw(TestModel.Encoded(1), "image/png"), HttpStatusCode.UnsupportedMediaType, "multipart/form-data");

    [Fact]
    public Task Bad_top_k_is_400() =>
        AssertError("/predict?topK=zero", Raw(TestModel.Encoded(1), "image/png"), HttpStatusCode.BadRequest, "topK");

    [Fact]
    public Task Malformed_multipart_is_400() =>
        AssertError("/predict", Raw(Encoding.UTF8.GetBytes("--xyz\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n\r\nabc"), "multipart/form-data; boundary=xyz"),
            HttpStatusCode.BadRequest, "multipart");
}
