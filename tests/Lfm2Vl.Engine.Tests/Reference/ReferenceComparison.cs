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
        // Integer fixtures (argmax indices, one-hot rows) must match exactly.
        bool exact = expected.DType == "int32";
        var got = actual.ToDoubleArray();
        int worst = -1; double worstRatio = 0;
        for (int i = 0; i < got.Length; i++)
        {
            double e = expected.Data[i], diff = Math.Abs(got[i] - e);
            double ratio = exact ? (diff == 0 ? 0 : double.PositiveInfinity) : diff / tol.Allowed(e);
            if (double.IsNaN(got[i]) != double.IsNaN(e)) ratio = double.PositiveInfinity;
            if (ratio > worstRatio) { worstRatio = ratio; worst = i; }
        }
        if (worstRatio <= 1) return null;
        double w = expected.Data[worst];
        return $"{label} {Format(expected.Shape)}: worst element {Format(Unravel(worst, expected.Shape))} = {got[worst]:R}, " +
               $"expected {w:R} (|diff| {Math.Abs(got[worst] - w):G3}, allowed {(exact ? 0 : tol.Allowed(w)):G3}).";
    }

    private static int[] Unravel(int flat, int[] shape)
    {
        var idx = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--) { idx[d] = flat % shape[d]; flat /= shape[d]; }
        return idx;
    }

    private static string Format(int[] v) => "[" + string.Join(", ", v) + "]";
}
