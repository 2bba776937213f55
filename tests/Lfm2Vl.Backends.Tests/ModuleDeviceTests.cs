using Lfm2Vl.Nn.Layers;
using Lfm2Vl.Nn.Modules;
using Lfm2Vl.Nn.Optim;
using Lfm2Vl.Nn.Serialization;

namespace Lfm2Vl.Backends.Tests;

/// <summary>
/// Moving modules to a device in place (Module.To, Tensor.MoveStorageTo): parameters and buffers keep their tensor
/// objects, optimizers keep working and put their state on the device, and state dicts and optimizer states are
/// written from and loaded into device tensors. On the ILGPU CPU simulator against the CPU backend.
/// </summary>
[Collection(IlgpuCpuCollection.Name)]
public sealed class ModuleDeviceTests
{
    /// <summary>
    /// conv -> BatchNorm -> ReLU -> flatten -> linear: parameters and BatchNorm buffers, tiny. The conv has no bias, as
    /// before every BatchNorm in the models: BatchNorm cancels it, so its gradient is rounding noise that Adam would
    /// scale up to full steps in directions that differ between backends.
    /// </summary>
    private static Sequential Net(ulong seed)
    {
        var gen = new Generator(seed);
        return new Sequential(new Conv2d(1, 3, 3, padding: 1, bias: false, generator: gen), new BatchNorm2d(3), new ReLU(), new Flatten(), new Linear(3 * 4 * 4, 2, generator: gen));
    }

    private static readonly Tensor X = Tensor.Randn([4, 1, 4, 4], new Generator(11)).Persist();
    private static readonly Tensor Y = Tensor.FromArray([0, 1, 1, 0], 4).Persist();

    private static Dictionary<string, double[]> Values(Module m) => m.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.ToDoubleArray());

    private static double Step(Module model, Optimizer opt, Device d)
    {
        using var scope = TensorScope.Begin();
        var loss = Functional.CrossEntropy(((Sequential)model).Forward(X.To(d)), Y.To(d));
        loss.Backward();
        GradClip.ClipGradNorm(model.Parameters(), 0.5);
        opt.Step();
        opt.ZeroGrad();
        return loss.Item();
    }

    [SkippableFact]
    public void To_moves_parameters_and_buffers_in_place_and_back()
    {
        var d = BackendTarget.IlgpuCpu.Require();
        var model = Net(1);
        var before = Values(model);
        var tensors = model.StateDict().Values.ToList();
        Assert.Equal(Device.Cpu, model.Device);

        Assert.Same(model, model.To(d));
        Assert.Equal(d, model.Device);
        var moved = model.StateDict().Values.ToList();
        for (int i = 0; i < tensors.Count; i++)
        {
            Assert.Same(tensors[i], moved[i]); // the same objects: layers and optimizers keep their references
            Assert.Equal(d, moved[i].Device);
        }
        Assert.Equal(d, ((BatchNorm2d)model.GetSubmodule("1")).RunningVar.Device);
        foreach (var (name, v) in Values(model)) Assert.Equal(before[name], v);

        model.To(Device.Cpu);
        Assert.Equal(Device.Cpu, model.Device);
        foreach (var (name, v) in Values(model)) Assert.Equal(before[name], v);
    }

    [SkippableTheory]
    [InlineData("adamw")]
    [InlineData("sgd")]
    public void Optimizer_steps_on_the_device_equal_the_cpu_steps(string kind)
    {
        var d = BackendTarget.IlgpuCpu.Require();
        Optimizer Make(Module m) => kind == "adamw"
            ? new AdamW(m.Parameters(), lr: 0.05, weightDecay: 0.1)
            : new Sgd(m.Parameters(), lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.01);
        var cpu = Net(2);
        var dev = Net(2).To(d);
        var cpuOpt = Make(cpu);
        var devOpt = Make(dev);
        for (int s = 0; s < 3; s++)
        {
            double a = Step(cpu, cpuOpt, Device.Cpu), b = Step(dev, devOpt, d);
            Assert.True(Math.Abs(a - b) <= 1e-5 * Math.Max(1, Math.Abs(a)), $"step {s}: loss {a} on the cpu, {b} on {d}");
        }
        var expected = Values(cpu);
        foreach (var (name, v) in Values(dev)) Compare.Close(name, expected[name], v, 1e-5, 1e-4);

        // The optimizer state was created on the parameters' device.
        var state = devOpt.StateOf(dev.Parameters().First())!;
        Assert.NotEmpty(state.Buffers);
        Assert.All(state.Buffers.Values, b => Assert.Equal(d, b.Device));

        // Saving from the device and loading back onto it resumes exactly like the CPU optimizer.
        using (var saved = devOpt.GetState())
        using (var reference = cpuOpt.GetState())
        {
            foreach (var (key, t) in reference.Tensors) Compare.Close(key, t.ToDoubleArray(), saved.Tensor(key).ToDoubleArray(), 1e-5, 1e-4);
            var resumed = Make(dev);
            resumed.SetState(saved);
            Assert.All(resumed.StateOf(dev.Parameters().First())!.Buffers.Values, b => Assert.Equal(d, b.Device));
        }
    }

    [SkippableFact]
    public void State_dicts_are_written_from_the_device_and_loaded_onto_it()
    {
        var d = BackendTarget.IlgpuCpu.Require();
        var dev = Net(3).To(d);
        var expected = Values(dev);
        var stream = new MemoryStream();
        SafetensorsWriter.Write(stream, dev.StateDict());
        stream.Position = 0;
        using var content = SafetensorsReader.Load(stream);
        var cpu = Net(4);
        cpu.LoadStateDict(content.Tensors);
        foreach (var (name, v) in Values(cpu)) Assert.Equal(expected[name], v);

        var other = Net(5).To(d);
        other.LoadStateDict(cpu.StateDict()); // CPU tensors into device parameters
        Assert.Equal(d, other.Device);
        foreach (var (name, v) in Values(other)) Assert.Equal(expected[name], v);
    }

    [SkippableFact]
    public void Optimizer_state_follows_a_model_moved_after_training_started()
    {
        var d = BackendTarget.IlgpuCpu.Require();
        var model = Net(6);
        var opt = new Adam(model.Parameters(), lr: 0.01);
        Step(model, opt, Device.Cpu);
        Assert.Equal(Device.Cpu, opt.StateOf(model.Parameters().First())!.Buffers["exp_avg"].Device);
        model.To(d);
        Step(model, opt, d);
        Assert.All(model.Parameters(), p => Assert.All(opt.StateOf(p)!.Buffers.Values, b => Assert.Equal(d, b.Device)));
    }

    [SkippableFact]
    public void MoveStorageTo_refuses_views_shared_storage_and_op_outputs()
    {
        var d = BackendTarget.IlgpuCpu.Require();
        var t = Tensor.Randn([2, 3], new Generator(1)).Persist();
        var view = t.Narrow(1, 0, 2);
        Assert.Contains("view", Assert.Throws<InvalidOperationException>(() => view.MoveStorageTo(d)).Message);
        Assert.Contains("shared", Assert.Throws<InvalidOperationException>(() => t.MoveStorageTo(d)).Message);
        view.Dispose();
        var values = t.ToDoubleArray();
        t.RequireGrad().Grad = Tensor.OnesLike(t).Persist();
        Assert.Same(t, t.MoveStorageTo(d));
        Assert.Equal(d, t.Device);
        Assert.Null(t.Grad); // a gradient on the old device is dropped
        Assert.Equal(values, t.ToDoubleArray());

        var y = t * 2.0;
        Assert.Contains("leaf", Assert.Throws<InvalidOperationException>(() => y.MoveStorageTo(Device.Cpu)).Message);
    }
}
