namespace Lfm2Vl.Server;

/// <summary>The web page and the OpenAPI document, embedded in the assembly (no files to deploy).</summary>
internal static class Assets
{
    public static string IndexHtml { get; } = Read("Lfm2Vl.Server.index.html");
    public static string OpenApiJson { get; } = Read("Lfm2Vl.Server.openapi.json");

    private static string Read(string name)
    {
        using var stream = typeof(Assets).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The embedded resource '{name}' is missing from the build.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
