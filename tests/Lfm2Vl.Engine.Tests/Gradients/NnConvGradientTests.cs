using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Lfm2Vl.Engine.Tests.Support;
using static Lfm2Vl.Engine.Tests.Support.ValueDomain;

namespace Lfm2Vl.Engine.Tests.Gradients;

/// <summary>Functional.Conv2d: input, weight and bias gradients over random strides, paddings, dilations and
/// groups (depthwise included), each hyper-parameter drawn separately for height and width.</summary>
public static class NnConvOps
{
    /// <summary>An input extent that leaves at least one output position for this kernel, padding and dilation.</summary>
    private static Gen<int> Extent(int kernel, int padding, int dilation) =>
        Gen.Choose(Math.Max(1, dilation * (kernel - 1) + 1 - 2 * padding), Math.Max(1, dilation * (kernel - 1) + 1 - 2 * padding) + 2);

    public static Gen<OpSample> Conv2d =>
        from depthwise in Gen.Frequency((3, Gen.Constant(false)), (1, Gen.Constant(true)))
        from groups in depthwise ? Gen.Choose(1, 3) : Gen.Choose(1, 2)
        from inPerGroup in depthwise ? Gen.Constant(1) : Gen.Choose(1, 2)
        from outPerGroup in Gen.Choose(1, 2)
        from n in Gen.Choose(1, 2)
        from kh in Gen.Choose(1, 3)
        from kw in Gen.Choose(1, 3)
        from sh in Gen.Choose(1, 2)
        from sw in Gen.Choose(1, 2)
        from ph in Gen.Choose(0, 2)
        from pw in Gen.Choose(0, 2)
        from dh in Gen.Choose(1, 2)
        from dw in Gen.Choose(1, 2)
        from h in Extent(kh, ph, dh)
        from w in Extent(kw, pw, dw)
        from withBias in Gens.Bool
        from x in Gens.Input([n, groups * inPerGroup, h, w], Uniform())
        from weight in Gens.Input([groups * outPerGroup, inPerGroup, kh, kw], Uniform())
        from bias in Gens.Input([groups * outPerGroup], Uniform())
        select new OpSample("conv2d",
            $"stride=({sh},{sw}) padding=({ph},{pw}) dilation=({dh},{dw}) groups={groups}{(depthwise ? " depthwise" : "")} bias={withBias}",
            withBias ? [x, weight, bias] : [x, weight],
            xs => Functional.Conv2d(xs[0], xs[1], xs.Length > 2 ? xs[2] : null, (sh, sw), (ph, pw), (dh, dw), groups));
}

public class NnConvGradientTests
{
    [Property(MaxTest = 40)] public Property Conv2d() => OpProperties.Gradient(NnConvOps.Conv2d);
}
