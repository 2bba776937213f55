using Lfm2Vl.Engine;

namespace Lfm2Vl.Nn.Modules;

/// <summary>
/// In training, zeroes each element with probability p and scales the rest by 1/(1-p) (inverted dropout),
/// drawing the mask from its <see cref="Generator"/>; in evaluation it passes the input through.
/// </summary>
public sealed class Dropout : Module<Tensor, Tensor>
{
    public Dropout(double p, Generator generator)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(p), $"Dropout probability must be in [0, 1], got {p}.");
        P = p;
        Generator = generator ?? throw new ArgumentNullException(nameof(generator));
    }

    public double P { get; }

    /// <summary>The source of masks; save its state with the checkpoint for an exact resume.</summary>
    public Generator Generator { get; }

    public override Tensor Forward(Tensor input)
    {
        if (!IsTraining || P == 0) return input;
        if (P == 1) return input * 0.0;
        Tensor mask;
        using (GradMode.NoGrad())
        {
            using var u = Tensor.Rand(input.Shape, Generator, dtype: input.DType, device: input.Device);
            using var threshold = Tensor.Scalar(1 - P, input.DType, input.Device);
            using var keep = Tensor.Less(u, threshold);
            mask = keep.MulScalar(1 / (1 - P));
        }
        using (mask) return input * mask;
    }

    public override string TypeName => $"Dropout(p={P})";
}
