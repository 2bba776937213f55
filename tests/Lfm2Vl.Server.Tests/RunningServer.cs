using Lfm2Vl.Training.Checkpoints;

namespace Lfm2Vl.Server.Tests;

/// <summary>A real Kestrel server on 127.0.0.1 with a free port, and an HttpClient pointed at it.</summary>
internal sealed class RunningServer : IAsyncDisposable
{
    private RunningServer(PredictionServer server)
    {
        Server = server;
        Client = new HttpClient { BaseAddress = new Uri(server.Addresses.Single()), Timeout = TimeSpan.FromSeconds(60) };
    }

    public PredictionServer Server { get; }
    public HttpClient Client { get; }

    public static async Task<RunningServer> StartAsync(ServerOptions? options = null, Func<IPredictor, IPredictor>? wrap = null)
    {
        var loaded = Checkpoint.LoadModel(TestModel.CheckpointFile);
        IPredictor predictor = new EvaluatorPredictor(ModelInfo.EvaluatorFor(loaded, TestModel.Options));
        if (wrap is not null) predictor = wrap(predictor);
        var server = new PredictionServer(predictor, ModelInfo.From(loaded.Metadata),
            (options ?? new ServerOptions()) with { Urls = ["http://127.0.0.1:0"] });
        await server.StartAsync();
        return new RunningServer(server);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}
