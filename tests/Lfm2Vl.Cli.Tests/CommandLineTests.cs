using System.Text.Json;
using Lfm2Vl.Cli;
using Xunit;

namespace Lfm2Vl.Cli.Tests;

/// <summary>The lfm2vl command end to end on a tiny generated dataset: real files, real training, real reports.</summary>
[Collection("console")] // the commands write to the process console
public class CommandLineTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "lfm2vl-cli-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private string P(params string[] parts) => Path.Combine([_root, .. parts]);

    [Fact]
    public void MakeDataTrainEvaluatePredictFinetuneAndInfo()
    {
        Assert.Equal(0, CliApp.Run("make-data", P("a"), "--classes", "circle,square,triangle", "--train", "6", "--val", "3", "--test", "3", "--size", "32", "--max-objects", "1"));
        Assert.True(Directory.Exists(P("a", "train", "circle")));
        Assert.True(File.Exists(P("a", "annotations", "instances_train.json")));

        var config = P("cfg.json");
        File.WriteAllText(config, """{ "num_workers": 0, "batch_size": 4, "learning_rate": 0.002 }""");
        Assert.Equal(0, CliApp.Run("train", "--config", config, "--data", P("a"), "--out", P("run"), "--input-size", "32", "--epochs", "2", "--seed", "5"));
        var saved = File.ReadAllText(P("run", "config.json"));
        Assert.Contains("\"batch_size\": 4", saved);       // from the file
        Assert.Contains("\"num_epochs\": 2", saved);       // from the command line
        Assert.Equal(3, File.ReadAllLines(P("run", "metrics.csv")).Length);

        Assert.Equal(0, CliApp.Run("evaluate", "--model", P("run", "model.safetensors"), "--data", P("a"), "--out", P("eval")));
        Assert.True(new FileInfo(P("eval", "report.md")).Length > 0);
        Assert.True(File.Exists(P("eval", "confusion_matrix.png")));

        Assert.Equal(0, CliApp.Run("predict", P("a", "test"), "--model", P("run", "model.safetensors"), "--json", P("pred.json"), "-k", "2"));
        using var json = JsonDocument.Parse(File.ReadAllText(P("pred.json")));
        Assert.Equal(9, json.RootElement.GetArrayLength());
        var topK = json.RootElement[0].GetProperty("topK");
        Assert.Equal(2, topK.GetArrayLength());

        Assert.Equal(0, CliApp.Run("make-data", P("b"), "--classes", "cross,face", "--train", "4", "--val", "2", "--test", "2", "--size", "32"));
        Assert.Equal(0, CliApp.Run("finetune", "--model", P("run", "model.safetensors"), "--data", P("b"), "--out", P("ft"), "--epochs", "2", "-b", "4", "--workers", "0", "--progressive", "--unfreeze-every", "1"));
        Assert.True(File.Exists(P("ft", "model.safetensors")));

        Assert.Equal(0, CliApp.Run("info", "--model", P("ft", "model.safetensors")));
        Assert.Equal(0, CliApp.Run("info", "--backbone", "vit", "--variant", "micro", "--input-size", "32"));
    }

    [Fact]
    public void BadInputGivesAnErrorExitCode()
    {
        Assert.Equal(1, CliApp.Run("evaluate", "--model", P("missing.safetensors"), "--data", P("nothing")));
        Directory.CreateDirectory(P("empty"));
        Assert.Equal(1, CliApp.Run("train", "--data", P("empty"), "--out", P("run"), "--workers", "0"));
        Assert.Equal(1, CliApp.Run("make-data", P("x"), "--classes", "unicorn"));
        Assert.NotEqual(0, CliApp.Run("no-such-command"));
    }
}
