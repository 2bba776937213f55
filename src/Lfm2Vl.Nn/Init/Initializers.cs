using Lfm2Vl.Engine;

namespace Lfm2Vl.Nn.Init;

/// <summary>
/// Weight initializers (torch.nn.init). Each fills a tensor in place under no-grad, drawing from the given
/// <see cref="Generator"/> (or <see cref="DefaultGenerator"/>), element by element in row-major order, so the
/// same seed always gives the same values.
/// </summary>
public static class Initializers
{
    /// <summary>Used when no generator is passed. Seeded with 0; reseed it with <see cref="ManualSeed"/>. Not thread-safe.</summary>
    public static Generator DefaultGenerator { get; } = new(0);

    public static void ManualSeed(ulong seed) => DefaultGenerator.Reseed(seed);

    [ThreadStatic] private static bool _skipRandom;

    /// <summary>
    /// Until disposed, the random initializers on this thread write zeros and draw nothing: for building a model
    /// whose weights are loaded right after (a checkpoint), where drawing millions of values is wasted start-up
    /// time. Arguments are still checked; constant initializers are unaffected. Nests.
    /// </summary>
    public static IDisposable SkipRandomInit() => new SkipScope();

    /// <summary>Whether <see cref="SkipRandomInit"/> is in effect on this thread.</summary>
    public static bool SkippingRandomInit => _skipRandom;

    private sealed class SkipScope : IDisposable
    {
        private readonly bool _previous = _skipRandom;
        private bool _disposed;

        public SkipScope() => _skipRandom = true;

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            _skipRandom = _previous;
        }
    }

    public static Tensor Constant(Tensor t, double value)
    {
        using var noGrad = GradMode.NoGrad();
        return t.Fill(value);
    }

    public static Tensor Zeros(Tensor t) => Constant(t, 0);
    public static Tensor Ones(Tensor t) => Constant(t, 1);

    /// <summary>Uniform in [low, high).</summary>
    public static Tensor Uniform(Tensor t, double low, double high, Generator? generator = null)
    {
        if (!(low <= high)) throw new ArgumentException($"Uniform needs low <= high, got [{low}, {high}).");
        var g = generator ?? DefaultGenerator;
        return Fill(t, () => g.NextUniform(low, high));
    }

    public static Tensor Normal(Tensor t, double mean = 0, double std = 1, Generator? generator = null)
    {
        if (!(std >= 0)) throw new ArgumentException($"Normal needs std >= 0, got {std}.");
        var g = generator ?? DefaultGenerator;
        return Fill(t, () => mean + std * g.NextNormal());
    }

    /// <summary>
    /// Normal(mean, std) restricted to [a, b]: values outside are drawn again. Refuses bounds that keep less
    /// than one draw in a million, where resampling would not end in reasonable time.
    /// </summary>
    public static Tensor TruncatedNormal(Tensor t, double mean = 0, double std = 1, double a = -2, double b = 2, Generator? generator = null)
    {
        if (!(std > 0)) throw new ArgumentException($"TruncatedNormal needs std > 0, got {std}.");
        if (!(a < b)) throw new ArgumentException($"TruncatedNormal needs a < b, got [{a}, {b}].");
        double mass = NormalCdf((b - mean) / std) - NormalCdf((a - mean) / std);
        if (mass < 1e-6)
            throw new ArgumentException($"TruncatedNormal: [{a}, {b}] holds only {mass:G3} of Normal({mean}, {std}); resampling would take too long.");
        var g = generator ?? DefaultGenerator;
        return Fill(t, () =>
        {
            while (true)
            {
                double v = mean + std * g.NextNormal();
                if (v >= a && v <= b) return v;
            }
        });
    }

    /// <summary>He uniform: U(-bound, bound) with bound = gain * sqrt(3 / fan). <paramref name="a"/> is the leaky-ReLU slope.</summary>
    public static Tensor KaimingUniform(Tensor t, double a = 0, FanMode mode = FanMode.FanIn, Nonlinearity nonlinearity = Nonlinearity.LeakyRelu, Generator? generator = null)
    {
        double bound = Math.Sqrt(3.0) * KaimingStd(t, a, mode, nonlinearity);
        return Uniform(t, -bound, bound, generator);
    }

    /// <summary>He normal: N(0, std) with std = gain / sqrt(fan).</summary>
    public static Tensor KaimingNormal(Tensor t, double a = 0, FanMode mode = FanMode.FanIn, Nonlinearity nonlinearity = Nonlinearity.LeakyRelu, Generator? generator = null)
        => Normal(t, 0, KaimingStd(t, a, mode, nonlinearity), generator);

    /// <summary>Glorot uniform: U(-bound, bound) with bound = gain * sqrt(6 / (fan_in + fan_out)).</summary>
    public static Tensor XavierUniform(Tensor t, double gain = 1, Generator? generator = null)
    {
        double bound = Math.Sqrt(3.0) * XavierStd(t, gain);
        return Uniform(t, -bound, bound, generator);
    }

    /// <summary>Glorot normal: N(0, std) with std = gain * sqrt(2 / (fan_in + fan_out)).</summary>
    public static Tensor XavierNormal(Tensor t, double gain = 1, Generator? generator = null) => Normal(t, 0, XavierStd(t, gain), generator);

    public static double KaimingStd(Tensor t, double a, FanMode mode, Nonlinearity nonlinearity)
    {
        long fan = Fans.Of(t.Shape, mode);
        if (fan == 0) throw new ArgumentException($"Kaiming initialization of an empty tensor {ShapeUtil.Format(t.Shape)} (fan is 0).");
        return Fans.Gain(nonlinearity, a) / Math.Sqrt(fan);
    }

    public static double XavierStd(Tensor t, double gain)
    {
        var (fanIn, fanOut) = Fans.Compute(t.Shape);
        if (fanIn + fanOut == 0) throw new ArgumentException($"Xavier initialization of an empty tensor {ShapeUtil.Format(t.Shape)}.");
        return gain * Math.Sqrt(2.0 / (fanIn + fanOut));
    }

    /// <summary>Writes draws into t in row-major order.</summary>
    private static Tensor Fill(Tensor t, Func<double> sample)
    {
        if (_skipRandom) return Zeros(t);
        var values = new double[t.Numel];
        for (int i = 0; i < values.Length; i++) values[i] = sample();
        using var noGrad = GradMode.NoGrad();
        using var src = Tensor.FromDoubles(values, t.Shape, t.DType, t.Device);
        return t.CopyFrom(src);
    }

    /// <summary>Standard normal CDF (erf by Abramowitz-Stegun 7.1.26, |error| &lt; 1.5e-7: enough for a feasibility check).</summary>
    private static double NormalCdf(double x)
    {
        double z = Math.Abs(x) / Math.Sqrt(2);
        double k = 1 / (1 + 0.3275911 * z);
        double erf = 1 - ((((1.061405429 * k - 1.453152027) * k + 1.421413741) * k - 0.284496736) * k + 0.254829592) * k * Math.Exp(-z * z);
        return 0.5 * (1 + (x < 0 ? -erf : erf));
    }
}
