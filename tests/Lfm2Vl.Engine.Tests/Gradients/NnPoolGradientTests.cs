using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Lfm2Vl.Engine.Tests.Support;
using static Lfm2Vl.Engine.Tests.Support.ValueDomain;

namespace Lfm2Vl.Engine.Tests.Gradients;

/// <summary>Pooling and resizing: max and average pooling (padding, ceil mode, count_include_pad), adaptive
/// average pooling and interpolation (nearest, bilinear with and without align_corners).</summary>
public static class NnPoolOps
{
    /// <summary>Kernel, stride, padding (at most half the kernel) and ceil mode, with input extents the kernel fits.</summary>
    private static Gen<(int K, int S, int P, bool Ceil, int H, int W)> Window =>
        from k in Gen.Choose(1, 3)
        from s in Gen.Choose(1, 3)
        from p in Gen.Choose(0, k / 2)
        from ceil in Gens.Bool
        from h in Gen.Choose(Math.Max(1, k - 2 * p), 5)
        from w in Gen.Choose(Math.Max(1, k - 2 * p), 5)
        select (k, s, p, ceil, h, w);

    private static Gen<int[]> Nchw(int h, int w) =>
        from n in Gen.Choose(1, 2)
        from c in Gen.Choose(1, 2)
        select new[] { n, c, h, w };

    /// <summary>Distinct values (at least 0.2 apart): no window has a tie, so the argmax is stable under the step.</summary>
    public static Gen<OpSample> MaxPool2d =>
        from win in Window
        from shape in Nchw(win.H, win.W)
        from x in Gens.Input(shape, Distinct)
        select new OpSample("max_pool2d", $"kernel={win.K} stride={win.S} padding={win.P} ceil={win.Ceil}", [x],
            xs => Functional.MaxPool2d(xs[0], win.K, win.S, win.P, win.Ceil));

    public static Gen<OpSample> AvgPool2d =>
        from win in Window
        from includePad in Gens.Bool
        from shape in Nchw(win.H, win.W)
        from x in Gens.Input(shape, Uniform())
        select new OpSample("avg_pool2d", $"kernel={win.K} stride={win.S} padding={win.P} ceil={win.Ceil} count_include_pad={includePad}", [x],
            xs => Functional.AvgPool2d(xs[0], win.K, win.S, win.P, win.Ceil, includePad));

    public static Gen<OpSample> AdaptiveAvgPool2d =>
        from h in Gen.Choose(1, 5)
        from w in Gen.Choose(1, 5)
        from oh in Gen.Choose(1, 4)
        from ow in Gen.Choose(1, 4)
        from shape in Nchw(h, w)
        from x in Gens.Input(shape, Uniform())
        select new OpSample("adaptive_avg_pool2d", $"out=({oh},{ow})", [x], xs => Functional.AdaptiveAvgPool2d(xs[0], oh, ow));

    public static Gen<OpSample> Interpolate =>
        from mode in Gen.Elements(Functional.InterpolationMode.Nearest, Functional.InterpolationMode.Bilinear)
        from alignCorners in mode == Functional.InterpolationMode.Bilinear ? Gens.Bool : Gen.Constant(false)
        from h in Gen.Choose(1, 4)
        from w in Gen.Choose(1, 4)
        from oh in Gen.Choose(1, 6)
        from ow in Gen.Choose(1, 6)
        from shape in Nchw(h, w)
        from x in Gens.Input(shape, Uniform())
        select new OpSample("interpolate", $"{mode} align_corners={alignCorners} out=({oh},{ow})", [x],
            xs => Functional.Interpolate(xs[0], oh, ow, mode, alignCorners));
}

public class NnPoolGradientTests
{
    [Property(MaxTest = 40)] public Property MaxPool2d() => OpProperties.Gradient(NnPoolOps.MaxPool2d);
    [Property(MaxTest = 40)] public Property AvgPool2d() => OpProperties.Gradient(NnPoolOps.AvgPool2d);
    [Property(MaxTest = 30)] public Property AdaptiveAvgPool2d() => OpProperties.Gradient(NnPoolOps.AdaptiveAvgPool2d);
    [Property(MaxTest = 30)] public Property Interpolate() => OpProperties.Gradient(NnPoolOps.Interpolate);
}
