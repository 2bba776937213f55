using Lfm2Vl.Engine;

namespace Lfm2Vl.Nn.Modules;

// Moving a model between devices (the CPU backend, an accelerator opened through the ILGPU backend).
public abstract partial class Module
{
    /// <summary>
    /// Moves every parameter and buffer of this module and its descendants to <paramref name="device"/>, in place:
    /// the parameter and buffer tensors stay the same objects (optimizers, state dicts and layers keep their
    /// references), only their data changes device. Gradients are released. Optimizer state follows its
    /// parameters on the next step. Returns this module.
    /// </summary>
    public Module To(Device device)
    {
        using var noGrad = GradMode.NoGrad();
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var p in Parameters())
            if (seen.Add(p.Data)) p.Data.MoveStorageTo(device);
        foreach (var (_, b) in NamedBuffers())
            if (seen.Add(b)) b.MoveStorageTo(device);
        return this;
    }

    /// <summary>
    /// The device that holds this module's parameters (and buffers); the CPU for a module that has none.
    /// Throws when they are spread over several devices.
    /// </summary>
    public Device Device
    {
        get
        {
            var devices = Parameters().Select(p => p.Data.Device).Concat(NamedBuffers().Select(b => b.Buffer.Device)).Distinct().ToList();
            return devices.Count switch
            {
                0 => Device.Cpu,
                1 => devices[0],
                _ => throw new InvalidOperationException($"{TypeName} has parameters or buffers on several devices ({string.Join(", ", devices)}); move it with To(device)."),
            };
        }
    }
}
