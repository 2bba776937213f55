namespace Lfm2Vl.Engine.Tests.Support;

/// <summary>
/// How an input's values are drawn. Gradient checks need the inputs away from kinks and domain edges (the
/// finite-difference step must not cross them), so each op names the domain it is smooth on.
/// </summary>
public sealed record ValueDomain(string Name, Func<Generator, int, double[]> Sample)
{
    public override string ToString() => Name;

    private static ValueDomain Each(string name, Func<Generator, double> one) =>
        new(name, (g, n) => Enumerable.Range(0, n).Select(_ => one(g)).ToArray());

    /// <summary>Uniform in [lo, hi).</summary>
    public static ValueDomain Uniform(double lo = -2, double hi = 2) => Each($"U({lo},{hi})", g => g.NextUniform(lo, hi));

    /// <summary>Strictly positive: for log, sqrt, rsqrt and the base of pow.</summary>
    public static ValueDomain Positive(double lo = 0.5, double hi = 2.5) => Uniform(lo, hi);

    /// <summary>|x| in [lo, hi) with a random sign: for abs, relu, leaky relu and divisors.</summary>
    public static ValueDomain AwayFromZero(double lo = 0.25, double hi = 2) =>
        Each($"±U({lo},{hi})", g => g.NextUniform(lo, hi) * (g.NextDouble() < 0.5 ? -1 : 1));

    /// <summary>Uniform in [lo, hi) but at least <paramref name="gap"/> from each of the given points (clamp bounds).</summary>
    public static ValueDomain AvoidPoints(double[] points, double gap = 0.05, double lo = -2, double hi = 2) =>
        Each($"U({lo},{hi}) avoiding [{string.Join(", ", points.Select(p => p.ToString("G4")))}]", g =>
        {
            while (true)
            {
                double v = g.NextUniform(lo, hi);
                if (points.All(p => Math.Abs(v - p) >= gap)) return v;
            }
        });

    /// <summary>
    /// Pairwise distinct values at least 0.2 apart (a shuffled grid with small jitter): no ties for max/min.
    /// </summary>
    public static ValueDomain Distinct => new("distinct", (g, n) =>
    {
        var order = Enumerable.Range(0, n).ToArray();
        g.Shuffle<int>(order);
        return order.Select(k => (k - n / 2.0) * 0.3 + g.NextUniform(-0.05, 0.05)).ToArray();
    });

    /// <summary>
    /// Values on a grid of spacing 0.4 shifted by <paramref name="phase"/> (0 or 0.5), with jitter: a value of
    /// phase 0 and one of phase 0.5 are always at least 0.1 apart, so elementwise maximum/minimum never tie.
    /// </summary>
    public static ValueDomain Grid(double phase) =>
        Each($"grid+{phase}", g => (g.NextInt(10) - 5 + phase) * 0.4 + g.NextUniform(-0.05, 0.05));

    /// <summary>Small integers in [-3, 3]: products and sums are exact in float32 and float64.</summary>
    public static ValueDomain SmallInts => Each("ints[-3,3]", g => g.NextInt(7) - 3);
}
