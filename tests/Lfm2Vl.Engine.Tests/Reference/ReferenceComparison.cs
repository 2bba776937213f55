using Lfm2Vl.Tests.Shared;

namespace Lfm2Vl.Engine.Tests.Reference;

/// <summary>Compares an engine tensor with a fixture tensor and describes the worst element when they differ.</summary>
public static class ReferenceComparison
{
    /// <summary>Null when the tensors agree; otherwise a message naming the tensor, its shape and its worst element.</summary>
    public static string? Compare(string label, TorchFixture.FixtureTensor expected, Tensor? actual, Tolerance tol)
    {
        if (actual is null) return $"{label}: the engine produced no tensor (expected shape {Format(expected.Shape)}).";
        if (!expected.Shape.SequenceEqual(actual.Shape))
            return $"{label}: shape {Format(actual.Shape)}, expected {Format(expected.Shape)}.";
        var got = actual.ToDoubleArray();
        var (worst, worstRatio) = Worst(expected, got, tol);
        if (worstRatio <= 1) return null;
        double w = expected.Data[worst];
        double allowed = ExactAt(expected, w, got[worst]) ? 0 : tol.Allowed(w);
        return $"{label} {Format(expected.Shape)}: worst element {Format(Unravel(worst, expected.Shape))} = {got[worst]:R}, " +
               $"expected {w:R} (|diff| {Math.Abs(got[worst] - w):G3}, allowed {allowed:G3}).";
    }

    /// <summary>The element with the largest |diff| / allowed, and that ratio (at most 1 means the tensors agree).</summary>
    public static (int Index, double Ratio) Worst(TorchFixture.FixtureTensor expected, double[] got, Tolerance tol)
    {
        int worst = -1; double worstRatio = 0;
        for (int i = 0; i < got.Length; i++)
        {
            double e = expected.Data[i];
            double ratio = ExactAt(expected, e, got[i]) ? (got[i].Equals(e) ? 0 : double.PositiveInfinity) : Math.Abs(got[i] - e) / tol.Allowed(e);
            if (ratio > worstRatio) { worstRatio = ratio; worst = i; }
        }
        return (worst, worstRatio);
    }

    // Integer fixtures (argmax indices, one-hot rows) and non-finite values (a -inf mask entry, a NaN) must match
    // exactly; NaN equals NaN.
    private static bool ExactAt(TorchFixture.FixtureTensor expected, double e, double got) =>
        expected.DType == "int32" || !double.IsFinite(e) || !double.IsFinite(got);

    private static int[] Unravel(int flat, int[] shape)
    {
        var idx = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--) { idx[d] = flat % shape[d]; flat /= shape[d]; }
        return idx;
    }

    private static string Format(int[] v) => "[" + string.Join(", ", v) + "]";
}
