using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Lfm2Vl.Server;

/// <summary>An uploaded file: its name (for errors and results) and its encoded bytes.</summary>
public sealed record Upload(string Name, byte[] Bytes);

/// <summary>
/// Reads images from a request: a multipart/form-data body (file fields; for /predict the field "image") or a
/// raw body with an image/* content type. Enforces the byte limit while reading, so a huge body is refused
/// without being buffered; every refusal is an <see cref="ApiException"/> with a 4xx status.
/// </summary>
internal sealed class UploadReader(ServerOptions options)
{
    public async Task<IReadOnlyList<Upload>> ReadAsync(HttpRequest request, bool batch, CancellationToken ct)
    {
        var contentType = request.ContentType;
        if (string.IsNullOrWhiteSpace(contentType))
            throw new ApiException(415, "The request has no Content-Type: send multipart/form-data with a file field \"image\", or the image bytes with an image/* content type.");
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media) || media.MediaType.Value is not { } type)
            throw new ApiException(415, $"Cannot parse the Content-Type '{contentType}'.");
        if (type.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            return await ReadMultipartAsync(request, media, batch, ct);
        if (batch)
            throw new ApiException(415, $"POST /predict/batch takes multipart/form-data with one or more files, not '{type}'.");
        if (!type.StartsWith("image/", StringComparison.OrdinalIgnoreCase))
            throw new ApiException(415, $"Unsupported Content-Type '{type}': send an image (image/png, image/jpeg, image/bmp) or multipart/form-data.");
        if (request.ContentLength is 0)
            throw new ApiException(400, "The request body is empty: send the image bytes.");
        var bytes = await ReadLimitedAsync(request.Body, request.ContentLength, "The image", ct);
        if (bytes.Length == 0) throw new ApiException(400, "The request body is empty: send the image bytes.");
        return [new Upload("upload", bytes)];
    }

    private async Task<IReadOnlyList<Upload>> ReadMultipartAsync(HttpRequest request, MediaTypeHeaderValue media, bool batch, CancellationToken ct)
    {
        var boundary = HeaderUtilities.RemoveQuotes(media.Boundary).Value;
        if (string.IsNullOrWhiteSpace(boundary))
            throw new ApiException(400, "The multipart/form-data Content-Type has no boundary.");
        var reader = new MultipartReader(boundary, request.Body) { BodyLengthLimit = options.MaxImageBytes + 1 };
        var uploads = new List<Upload>();
        try
        {
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.IsFileDisposition())
                    continue; // plain form fields are ignored
                string field = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                if (!batch && field != "image") continue;
                string name = HeaderUtilities.RemoveQuotes(disposition.FileName.HasValue ? disposition.FileName : disposition.FileNameStar).Value is { Length: > 0 } f ? f : field;
                if (uploads.Count == (batch ? options.MaxBatchImages : 1))
                    throw new ApiException(batch ? 413 : 400, batch
                        ? $"Too many images: a batch takes at most {options.MaxBatchImages}."
                        : "POST /predict takes one file in the field \"image\"; use /predict/batch for several.");
                if (section.ContentType is { } partType && !IsImageOrUntyped(partType))
                    throw new ApiException(415, $"The file '{name}' has Content-Type '{partType}', not an image.");
                var bytes = await ReadLimitedAsync(section.Body, null, $"The file '{name}'", ct);
                if (bytes.Length == 0) throw new ApiException(400, $"The file '{name}' is empty (0 bytes).");
                uploads.Add(new Upload(name, bytes));
            }
        }
        catch (InvalidDataException e) // malformed multipart framing, or a section over BodyLengthLimit
        {
            if (e.Message.Contains("exceeded", StringComparison.OrdinalIgnoreCase))
                throw new ApiException(413, $"An uploaded file is larger than the limit of {options.MaxImageBytes} bytes.");
            throw new ApiException(400, $"Malformed multipart/form-data body: {e.Message}");
        }
        catch (IOException e) when (e.InnerException is null && !ct.IsCancellationRequested)
        {
            throw new ApiException(400, $"Malformed multipart/form-data body: {e.Message}");
        }
        if (uploads.Count == 0)
            throw new ApiException(400, batch
                ? "The multipart body has no files: add one or more image files."
                : "The multipart body has no file in the field \"image\".");
        return uploads;
    }

    private static bool IsImageOrUntyped(string partType) =>
        partType.StartsWith("image/", StringComparison.OrdinalIgnoreCase)
        || partType.StartsWith("application/octet-stream", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads a stream to its end, refusing (413) as soon as it passes the byte limit.</summary>
    private async Task<byte[]> ReadLimitedAsync(Stream body, long? declaredLength, string what, CancellationToken ct)
    {
        long limit = options.MaxImageBytes;
        if (declaredLength > limit)
            throw new ApiException(413, $"{what} is {declaredLength} bytes; the limit is {limit} bytes.");
        using var buffer = new MemoryStream(declaredLength is { } n ? (int)n : 64 * 1024);
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit)
                throw new ApiException(413, $"{what} is larger than the limit of {limit} bytes.");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
