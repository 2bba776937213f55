using Lfm2Vl.Engine;
using Lfm2Vl.Engine.Ilgpu;
using Lfm2Vl.Vision.Data;
using Lfm2Vl.Vision.Detection;
using Lfm2Vl.Vision.Models;
using Xunit;

namespace Lfm2Vl.Cli.Tests;

/// <summary>
/// The FCOS detection loss (targets built on the host, uploaded once, nothing read back) on ILGPU's CPU simulator
/// against the CPU backend: the loss parts and the gradients of the three maps. It lives here because this is the
/// test project that sees both the vision library and the ILGPU backend.
/// </summary>
[Collection("console")] // not in parallel with the CLI runs on the simulator
public class DetectionLossOnDeviceTests
{
    private static (double[] Parts, double[][] Grads) Run(Device d)
    {
        using var scope = TensorScope.Begin();
        Tensor Map(int seed, params int[] shape) => Tensor.Randn(shape, new Generator((ulong)seed)).To(d).RequireGrad();
        var cls = Map(1, 2, 3, 4, 4);
        var box = Map(2, 2, 4, 4, 4);
        var ctr = Map(3, 2, 1, 4, 4);
        var maps = new DetectionMaps(cls, box.Exp(), ctr, Stride: 4);
        IReadOnlyList<IReadOnlyList<BoundingBox>> boxes =
        [
            [new BoundingBox(1, 2, 12, 14, 0), new BoundingBox(6, 6, 16, 16, 2)],
            [new BoundingBox(0, 0, 9, 8, 1)],
        ];
        var parts = DetectionLoss.Compute(maps, boxes);
        parts.Total.Backward();
        return ([parts.Total.Item(), parts.Classification.Item(), parts.Box.Item(), parts.Centerness.Item(), parts.NumPositive],
            [cls.Grad!.ToDoubleArray(), box.Grad!.ToDoubleArray(), ctr.Grad!.ToDoubleArray()]);
    }

    [Fact]
    public void The_detection_loss_and_its_gradients_on_ilgpu_cpu_match_the_cpu()
    {
        var d = DeviceSelector.Select("ilgpu-cpu");
        var cpu = Run(Device.Cpu);
        var sim = Run(d);
        Assert.True(cpu.Parts[4] > 0, "the boxes should give positive cells");
        for (int i = 0; i < cpu.Parts.Length; i++)
            Assert.True(Math.Abs(cpu.Parts[i] - sim.Parts[i]) <= 1e-5 * Math.Max(1, Math.Abs(cpu.Parts[i])), $"part {i}: cpu {cpu.Parts[i]:R}, ilgpu-cpu {sim.Parts[i]:R}");
        for (int g = 0; g < cpu.Grads.Length; g++)
            for (int j = 0; j < cpu.Grads[g].Length; j++)
                Assert.True(Math.Abs(cpu.Grads[g][j] - sim.Grads[g][j]) <= 1e-5 + 1e-4 * Math.Abs(cpu.Grads[g][j]),
                    $"map {g} gradient {j}: cpu {cpu.Grads[g][j]:R}, ilgpu-cpu {sim.Grads[g][j]:R}");
    }
}
