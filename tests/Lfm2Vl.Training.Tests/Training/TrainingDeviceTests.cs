using Lfm2Vl.Engine;
using Xunit;

namespace Lfm2Vl.Training.Tests.Training;

/// <summary>
/// How a run's device setting is found among the opened devices. This test process opens no accelerator (the
/// training library cannot: ILGPU stays out of it), so only the CPU is there; training on an accelerator end to
/// end is tested through the CLI (tests/Lfm2Vl.Cli.Tests/DeviceCommandTests).
/// </summary>
public class TrainingDeviceTests
{
    [Theory]
    [InlineData("cpu")]
    [InlineData("CPU")]
    [InlineData("auto")]
    public void Cpu_and_auto_without_an_opened_accelerator_are_the_cpu(string name) =>
        Assert.Equal(Device.Cpu, TrainingDevice.Resolve(name));

    [Fact]
    public void A_device_that_was_not_opened_is_refused_with_how_to_open_it()
    {
        var e = Assert.Throws<ArgumentException>(() => TrainingDevice.Resolve("cuda"));
        Assert.Contains("Device 'cuda' is not open in this process (open: cpu)", e.Message);
        Assert.Contains("--device cuda", e.Message);
        Assert.Contains("DeviceSelector.Select(\"cuda\")", e.Message);
    }

    [Fact]
    public void The_trainer_refuses_such_a_device_before_writing_anything()
    {
        using var run = new TinyRun();
        var config = run.Config with { Device = "ilgpu-cpu" };
        Assert.Throws<ArgumentException>(() => new Trainer(config).Run());
        Assert.False(File.Exists(Path.Combine(config.OutputDir, "config.json")));
    }

    [Fact]
    public void The_default_device_is_auto() => Assert.Equal("auto", new TrainingConfig().Device);
}
