using Lfm2Vl.Engine.Tests.Gradients;
using Xunit;

namespace Lfm2Vl.Engine.Tests.Support;

/// <summary>Every differentiable op's sample generator, for the properties that must hold for all of them.</summary>
public static class OpCatalog
{
    public static IReadOnlyList<OpGen> All { get; } =
    [
        .. ArithmeticOps.All, .. PointwiseOps.All, .. ActivationOps.All, .. ReductionOps.All,
        .. MatMulOps.All, .. SoftmaxOps.All, .. IndexingOps.All, .. ViewOps.All,
    ];

    public static OpGen Get(string name) => All.FirstOrDefault(o => o.Name == name)
        ?? throw new ArgumentException($"No op named '{name}' in the catalog.");

    /// <summary>Op names as xunit theory data.</summary>
    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var o in All) data.Add(o.Name);
        return data;
    }
}
