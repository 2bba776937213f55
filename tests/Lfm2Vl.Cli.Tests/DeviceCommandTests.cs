using System.Text.Json;
using Lfm2Vl.Cli;
using Lfm2Vl.Engine;
using Lfm2Vl.Nn.Serialization;
using Lfm2Vl.Training.Checkpoints;
using Spectre.Console;
using Xunit;

namespace Lfm2Vl.Cli.Tests;

/// <summary>
/// --device end to end: `lfm2vl train --device ilgpu-cpu` (ILGPU's CPU simulator, slow, so tiny images and a narrow
/// model) against the same run with --device cpu, and the error for a device that is not present.
/// </summary>
[Collection("console")] // the commands write to the process console
public class DeviceCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "lfm2vl-device-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private string P(params string[] parts) => Path.Combine([_root, .. parts]);

    private static List<Dictionary<string, double?>> Metrics(string run) => File.ReadAllLines(Path.Combine(run, "metrics.jsonl"))
        .Select(l => JsonSerializer.Deserialize<Dictionary<string, double?>>(l)!).ToList();

    private static string[] Train(string data, string run, string device) =>
        ["train", "--data", data, "--out", run, "--device", device, "--variant", "tiny", "--input-size", "16", "--epochs", "2", "-b", "4",
         "--workers", "0", "--lr", "0.01", "--seed", "3"];

    [Fact]
    public void Training_on_ilgpu_cpu_gives_the_losses_and_weights_of_the_cpu_run()
    {
        Assert.Equal(0, CliApp.Run("make-data", P("data"), "--classes", "circle,square", "--train", "4", "--val", "2", "--test", "1", "--size", "16", "--max-objects", "1"));
        Assert.Equal(0, CliApp.Run(Train(P("data"), P("cpu"), "cpu")));
        Assert.Equal(0, CliApp.Run(Train(P("data"), P("sim"), "ilgpu-cpu")));

        // The run records the device it used.
        Assert.Contains("\"device\": \"ilgpu-cpu:0\"", File.ReadAllText(P("sim", "config.json")));
        Assert.Contains("\"device\": \"cpu\"", File.ReadAllText(P("cpu", "config.json")));

        // Same seed, same batches, same initial weights: the per-epoch losses agree to float32 rounding (the device
        // sums in another order), through two epochs of AdamW updates, BatchNorm statistics and validation.
        var cpu = Metrics(P("cpu"));
        var sim = Metrics(P("sim"));
        Assert.Equal(2, sim.Count);
        foreach (var key in new[] { "train_loss", "val_loss", "train_accuracy", "val_accuracy" })
            for (int e = 0; e < cpu.Count; e++)
            {
                double a = cpu[e][key]!.Value, b = sim[e][key]!.Value;
                Assert.True(Math.Abs(a - b) <= 1e-4 * Math.Max(1, Math.Abs(a)), $"epoch {e + 1} {key}: cpu {a:R}, ilgpu-cpu {b:R}");
            }

        // The checkpoint written from device tensors loads on the CPU and holds the CPU run's weights.
        var fromDevice = Checkpoint.LoadModel(P("sim", "model.safetensors"));
        var fromCpu = Checkpoint.LoadModel(P("cpu", "model.safetensors"));
        Assert.Equal(Device.Cpu, fromDevice.Model.Device);
        var expected = fromCpu.Model.StateDict();
        foreach (var (name, t) in fromDevice.Model.StateDict())
        {
            var want = expected[name].ToDoubleArray();
            var got = t.ToDoubleArray();
            for (int i = 0; i < want.Length; i++)
                Assert.True(Math.Abs(want[i] - got[i]) <= 1e-3 * Math.Max(1, Math.Abs(want[i])), $"{name}[{i}]: cpu {want[i]:R}, ilgpu-cpu {got[i]:R}");
        }
        // Prediction on the device gives the CPU's probabilities.
        Assert.Equal(0, CliApp.Run("predict", P("data", "test"), "--model", P("sim", "model.safetensors"), "--device", "cpu", "--json", P("cpu.json")));
        Assert.Equal(0, CliApp.Run("predict", P("data", "test"), "--model", P("sim", "model.safetensors"), "--device", "ilgpu-cpu", "--json", P("sim.json")));
        var onCpu = Probabilities(P("cpu.json"));
        var onSim = Probabilities(P("sim.json"));
        Assert.Equal(4, onCpu.Count); // 2 test images, top 2 of 2 classes
        for (int i = 0; i < onCpu.Count; i++) Assert.True(Math.Abs(onCpu[i] - onSim[i]) <= 1e-5, $"probability {i}: cpu {onCpu[i]:R}, ilgpu-cpu {onSim[i]:R}");

        // The resumable state (optimizer moments written from the device) is complete.
        using var last = TrainingState.Load(P("sim", "last.safetensors"));
        Assert.Contains(last.Tensors.Keys, k => k.StartsWith(Checkpoint.OptimizerPrefix) && k.EndsWith("exp_avg_sq"));
    }

    private static List<double> Probabilities(string json)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        return doc.RootElement.EnumerateArray().SelectMany(p => p.GetProperty("topK").EnumerateArray().Select(t => t.GetProperty("probability").GetDouble())).ToList();
    }

    [Fact]
    public void An_absent_device_fails_and_names_the_devices_that_are_present()
    {
        Assert.Equal(0, CliApp.Run("make-data", P("data"), "--classes", "circle,square", "--train", "2", "--val", "1", "--test", "1", "--size", "16"));
        var text = Recorded(() => Assert.Equal(1, CliApp.Run(Train(P("data"), P("run"), "cuda:99"))));
        Assert.Contains("Device 'cuda:99' is not present", text);
        Assert.Contains("Present devices: cpu", text);
        Assert.Contains("ilgpu-cpu:0", text);
        Assert.False(File.Exists(P("run", "config.json"))); // nothing ran

        text = Recorded(() => Assert.Equal(1, CliApp.Run("predict", P("data", "test"), "--model", P("none.safetensors"), "--device", "tpu")));
        Assert.Contains("Unknown device 'tpu'", text);
        Assert.Contains("ilgpu-cpu", text); // the choices

        text = Recorded(() => Assert.Equal(0, CliApp.Run("info", "--input-size", "32")));
        Assert.Contains("Devices (--device): cpu (SIMD CPU backend)", text);
    }

    private static string Recorded(Action run)
    {
        var original = AnsiConsole.Console;
        var recorder = new Recorder(original);
        AnsiConsole.Console = recorder;
        try { run(); }
        finally { AnsiConsole.Console = original; }
        // The console wraps long lines; the assertions read words, not layout.
        return System.Text.RegularExpressions.Regex.Replace(recorder.ExportText(), @"\s+", " ");
    }
}
