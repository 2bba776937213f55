using Lfm2Vl.Engine.Backends.Cpu;
using Xunit;

namespace Lfm2Vl.Engine.Tests.Memory;

/// <summary>Tests that read the process-wide CPU pool counters: they must run alone, after the parallel tests.</summary>
[CollectionDefinition(nameof(PoolCounterCollection), DisableParallelization = true)]
public sealed class PoolCounterCollection;

[Collection(nameof(PoolCounterCollection))]
public class TrainingMemoryTests
{
    private const int Steps = 2000;
    private const int WarmUp = 20;

    /// <summary>
    /// A 2-layer MLP trained by SGD, each step inside a TensorScope: after warm-up no new array is ever
    /// created and the live bytes return to the same level after every step, so the graph, its saved
    /// tensors and every intermediate go back to the pool, and leaf gradients are freed by ZeroGrad.
    /// </summary>
    [Fact]
    public void TrainingStepsInScopesKeepMemoryFlat()
    {
        var pool = CpuBackend.Instance.Pool;
        var gen = new Generator(2024);
        var x = Tensor.Randn([32, 8], gen);
        var target = Tensor.Randn([32, 4], gen);
        var w1 = Tensor.Randn([8, 16], gen, std: 0.35).RequireGrad();
        var b1 = Tensor.Zeros([16]).RequireGrad();
        var w2 = Tensor.Randn([16, 4], gen, std: 0.25).RequireGrad();
        var b2 = Tensor.Zeros([4]).RequireGrad();
        Tensor[] parameters = [w1, b1, w2, b2];
        const double lr = 0.05;

        long createdAfterWarmUp = 0, liveAfterWarmUp = 0;
        int tensorsPerStep = -1;
        double firstLoss = 0, lastLoss = 0;
        for (int step = 0; step < Steps; step++)
        {
            using (var scope = TensorScope.Begin())
            {
                var hidden = (x.MatMul(w1) + b1).Relu();
                var loss = (hidden.MatMul(w2) + b2 - target).Square().Mean();
                loss.Backward();
                Assert.True(loss.GradFn!.IsReleased, $"step {step}: the graph was not released by Backward()");
                using (GradMode.NoGrad())
                {
                    foreach (var p in parameters)
                    {
                        p.AddInPlace(p.Grad!, -lr);
                        p.ZeroGrad();
                    }
                }
                lastLoss = loss.Item(); // every step, so each step registers the same tensors
                if (step == 0) firstLoss = lastLoss;
                if (step == WarmUp) tensorsPerStep = scope.Count;
                else if (step > WarmUp && scope.Count != tensorsPerStep) Assert.Fail($"step {step}: {scope.Count} tensors in the scope, {tensorsPerStep} at step {WarmUp}");
            }

            if (step == WarmUp)
            {
                createdAfterWarmUp = pool.ArraysCreated;
                liveAfterWarmUp = pool.LiveBytes;
            }
            else if (step > WarmUp)
            {
                if (pool.ArraysCreated != createdAfterWarmUp || pool.LiveBytes != liveAfterWarmUp)
                    Assert.Fail($"Step {step}: {pool.ArraysCreated - createdAfterWarmUp} arrays created and " +
                                $"{pool.LiveBytes - liveAfterWarmUp} live bytes gained since step {WarmUp}.");
            }
        }

        Assert.All(parameters, p => Assert.Null(p.Grad));
        Assert.True(lastLoss < 0.8 * firstLoss, $"the MLP did not train: loss {firstLoss} -> {lastLoss}");
    }

    /// <summary>Closing a scope returns its tensors' buffers, including the graph's saved tensors when
    /// Backward() is never called.</summary>
    [Fact]
    public void AScopeReleasesAForwardGraphThatNeverRanBackward()
    {
        var pool = CpuBackend.Instance.Pool;
        var w = Tensor.Ones([64, 64]).RequireGrad();
        long live = pool.LiveBytes;
        using (TensorScope.Begin())
        {
            var y = w.MatMul(w).Tanh().Sum();
            Assert.True(y.RequiresGrad);
            Assert.True(pool.LiveBytes > live);
        }
        Assert.Equal(live, pool.LiveBytes);
    }
}
