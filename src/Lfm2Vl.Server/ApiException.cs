namespace Lfm2Vl.Server;

/// <summary>A request the server refuses: the HTTP status and a message for the client's JSON {error}.</summary>
public sealed class ApiException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}
