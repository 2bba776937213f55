using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Lfm2Vl.Engine.Tests.Support;
using static Lfm2Vl.Engine.Tests.Support.ValueDomain;

namespace Lfm2Vl.Engine.Tests.Gradients;

/// <summary>
/// Fused scaled dot-product attention: q, k and v gradients with and without a finite additive mask that
/// broadcasts over the leading dimensions. The mask is a constant (the op records no mask gradient), so it is
/// built inside f from captured values rather than passed as a checked input.
/// </summary>
public static class NnAttentionOps
{
    public static Gen<OpSample> ScaledDotProductAttention =>
        from lead in Gens.Shape(0, 2, 1, 2)
        from lq in Gen.Choose(1, 3)
        from lk in Gen.Choose(1, 3)
        from d in Gen.Choose(1, 3)
        from dv in Gen.Choose(1, 3)
        from scale in Gen.Elements<double?>(null, 0.5, 1.5)
        from withMask in Gens.Bool
        from maskShape in Gens.BroadcastableTo([.. lead, lq, lk])
        from maskSeed in Gens.Seed
        from q in Gens.Input([.. lead, lq, d], Uniform())
        from k in Gens.Input([.. lead, lk, d], Uniform())
        from v in Gens.Input([.. lead, lk, dv], Uniform())
        let maskValues = withMask ? Uniform(-2, 2).Sample(new Generator(maskSeed), maskShape.Aggregate(1, (a, b) => a * b)) : null
        select new OpSample("scaled_dot_product_attention",
            $"scale={scale?.ToString() ?? "default"} mask={(withMask ? ShapeUtil.Format(maskShape) + $" seed={maskSeed}" : "none")}",
            [q, k, v], xs =>
            {
                var mask = maskValues is null ? null : Tensor.FromDoubles(maskValues, maskShape, xs[0].DType);
                return Functional.ScaledDotProductAttention(xs[0], xs[1], xs[2], mask, scale);
            });
}

public class NnAttentionGradientTests
{
    [Property(MaxTest = 40)] public Property ScaledDotProductAttention() => OpProperties.Gradient(NnAttentionOps.ScaledDotProductAttention);
}
