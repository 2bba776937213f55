using Lfm2Vl.Engine;
using Lfm2Vl.Engine.Backends.Cpu;
using Lfm2Vl.Nn.Modules;
using Lfm2Vl.Nn.Optim;
using Xunit;

namespace Lfm2Vl.Nn.Tests;

[CollectionDefinition(nameof(PoolSensitive), DisableParallelization = true)]
public sealed class PoolSensitive;

/// <summary>
/// Optimizer steps reuse their state buffers and take temporaries from the pool: after the first step, no new
/// arrays are created and every temporary is returned. Runs alone, since the buffer pool is process-wide.
/// </summary>
[Collection(nameof(PoolSensitive))]
public class AllocationTests
{
    public static TheoryData<string> Optimizers() => ["sgd_nesterov", "adam_amsgrad", "adamw"];

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void StepsAfterTheFirstCreateNoArraysAndLeakNoBuffers(string kind)
    {
        var model = new Mlp(64, [128], 32, generator: new Generator(1));
        Optimizer opt = kind switch
        {
            "sgd_nesterov" => new Sgd(model.Parameters(), lr: 0.01, momentum: 0.9, nesterov: true, weightDecay: 1e-4),
            "adam_amsgrad" => new Adam(model.Parameters(), weightDecay: 1e-4, amsgrad: true),
            _ => new AdamW(model.Parameters()),
        };
        using (TensorScope.Begin())
            model.Forward(Tensor.Ones([4, 64])).Sum().Backward();

        var pool = CpuBackend.Instance.Pool;
        opt.Step(); // creates the state buffers
        opt.Step();
        long created = pool.ArraysCreated, live = pool.LiveBytes;
        for (int i = 0; i < 10; i++) opt.Step();
        Assert.Equal(created, pool.ArraysCreated);
        Assert.Equal(live, pool.LiveBytes);
    }
}
