using Lfm2Vl.Engine;

namespace Lfm2Vl.Nn.Modules;

/// <summary>
/// A multi-layer perceptron: for each hidden width, Linear then the activation then Dropout (when p &gt; 0),
/// and a final Linear to the output width. Children are numbered like a <see cref="Sequential"/>.
/// </summary>
public sealed class Mlp : Sequential
{
    /// <param name="activation">Makes one activation module per hidden layer (default: ReLU).</param>
    /// <param name="generator">Initializes the Linear layers and seeds the Dropout masks.</param>
    public Mlp(int inFeatures, IReadOnlyList<int> hiddenFeatures, int outFeatures, Func<Module<Tensor, Tensor>>? activation = null,
        double dropout = 0, Generator? generator = null, bool bias = true, DType dtype = DType.Float32)
    {
        if (!(dropout >= 0 && dropout < 1)) throw new ArgumentOutOfRangeException(nameof(dropout), $"Dropout must be in [0, 1), got {dropout}.");
        activation ??= () => new ReLU();
        var gen = generator ?? Init.Initializers.DefaultGenerator;
        int width = inFeatures;
        foreach (var h in hiddenFeatures)
        {
            Add(new Linear(width, h, bias, gen, dtype));
            Add(activation());
            if (dropout > 0) Add(new Dropout(dropout, gen.Fork()));
            width = h;
        }
        Add(new Linear(width, outFeatures, bias, gen, dtype));
    }
}
