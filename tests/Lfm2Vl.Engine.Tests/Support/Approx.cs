using System.Globalization;

namespace Lfm2Vl.Engine.Tests.Support;

/// <summary>Element-wise comparison with an absolute plus relative tolerance and a message that names the element.</summary>
public static class Approx
{
    public static void Equal(double[] expected, double[] actual, double absTol, double relTol, string what)
    {
        if (expected.Length != actual.Length)
            throw new Xunit.Sdk.XunitException($"{what}: {actual.Length} values, expected {expected.Length}.");
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            if (double.IsNaN(e) && double.IsNaN(a)) continue;
            double tol = absTol + relTol * Math.Abs(e);
            if (!(Math.Abs(e - a) <= tol))
                throw new Xunit.Sdk.XunitException(string.Create(CultureInfo.InvariantCulture,
                    $"{what}: element {i} is {a:R}, expected {e:R} (|diff| {Math.Abs(e - a):G3} > tol {tol:G3})."));
        }
    }

    public static void Equal(Tensor expected, Tensor actual, double absTol, double relTol, string what)
    {
        if (!expected.Shape.SequenceEqual(actual.Shape))
            throw new Xunit.Sdk.XunitException($"{what}: shape {ShapeUtil.Format(actual.Shape)}, expected {ShapeUtil.Format(expected.Shape)}.");
        Equal(expected.ToDoubleArray(), actual.ToDoubleArray(), absTol, relTol, what);
    }
}
