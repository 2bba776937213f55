using Lfm2Vl.Engine;
using Lfm2Vl.Nn.Modules;
using Lfm2Vl.Tests.Shared;
using Xunit;

namespace Lfm2Vl.Nn.Tests;

internal static class TestUtil
{
    public static Tensor ToTensor(this TorchFixture.FixtureTensor t, DType dtype = DType.Float64)
        => Tensor.FromDoubles(t.Data, t.Shape, dtype);

    public static void AssertClose(double[] expected, double[] actual, double tol, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs(expected[i] - actual[i]);
            if (!(err <= tol * (1 + Math.Abs(expected[i]))))
                Assert.Fail($"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (error {err:G3}, tolerance {tol:G3}).");
        }
    }

    /// <summary>Mean squared error.</summary>
    public static Tensor Mse(Tensor pred, Tensor target) => (pred - target).Square().Mean();

    /// <summary>Softmax cross-entropy from logits [N, C] and int32 labels [N], via LogSoftmax + Gather.</summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor labels)
    {
        var logp = logits.LogSoftmax(1);
        using var idx = labels.Reshape(labels.Numel, 1);
        return -logp.Gather(1, idx).Mean();
    }

    /// <summary>Bit patterns of every parameter (for exact comparisons).</summary>
    public static Dictionary<string, double[]> Snapshot(Module m)
        => m.NamedParameters().ToDictionary(x => x.Name, x => x.Parameter.Data.ToDoubleArray());

    public static string TempPath(string ext = ".safetensors")
        => Path.Combine(Path.GetTempPath(), "lfm2vl-nn-tests", Guid.NewGuid().ToString("N") + ext);
}
